/**
 * The end of the extraction pipeline: the decompressed tar goes into node-tar's strict Parser, each
 * entry is checked and either skipped, refused (the whole archive) or written, and once the archive
 * ended cleanly the layout (bare binaries or app bundles) is settled. Three parts, each with one job:
 * `FileWrites` streams entry bodies to disk, `routeEntry` decides per entry, `TarSink` feeds the
 * parser and owns the one failure that stops everything.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Parser as TarParser, ReadEntry } from 'tar';
import type { ToolsError } from '../errors.js';
import { formatBytes } from '../ui/bytes.js';
import { BundleWriter, DEFAULT_MAX_BUNDLE_ENTRIES } from './bundle.js';
import type { FileWriter } from './bundle.js';
import type { ExtractSpec, Extracted } from './extract-spec.js';
import { REGULAR_ENTRY_TYPES, archiveError, checkedPath, parserError } from './tar-entry.js';
import type { Position } from './tar-entry.js';

interface SinkState {
  wanted: Map<string, string>;
  seen: Set<string>;
  writers: Map<string, BundleWriter>;
  /** Bare entries that are not regular files, where a bundle may still make them irrelevant. */
  refusedBare: Map<string, ToolsError>;
}

/** Entry bodies being written into the destination: each created (never overwritten), hashed and flushed. */
class FileWrites {
  /** Files being written: closed at once when the archive is refused or the download cancelled. */
  private readonly open = new Set<Writable>();
  private readonly writes: Promise<unknown>[] = [];

  constructor(
    private readonly destDir: string,
    private readonly result: Extracted,
    private readonly onError: (err: Error) => void,
    /** Every write, and the closing of its file, so that a failure can wait for them to stop. */
    private readonly inFlight: Promise<unknown>[],
  ) {}

  /** Streams one entry's body into `<destDir>/<rel>`; the digest is recorded before the write counts as done. */
  readonly write: FileWriter = (entry, rel, mode, onDigest) => {
    const file = join(this.destDir, rel);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o700, flush: true });
    this.inFlight.push(new Promise<void>((resolve) => out.once('close', () => resolve())));
    this.open.add(out);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const written = pipeline(entry, tap, out).then(async () => {
      this.open.delete(out);
      await chmod(file, mode);
      const digest = hash.digest('hex');
      this.result.files[rel] = digest;
      onDigest(digest);
    });
    this.writes.push(written);
    this.inFlight.push(written);
    written.catch(this.onError);
    return written;
  };

  closeAll(): void {
    for (const out of this.open) out.destroy();
  }

  /** Every write started so far, done (rejects with the first failure). */
  all(): Promise<unknown> {
    return Promise.all(this.writes);
  }
}

/** The bundle an entry path belongs to, and its path below the bundle directory. */
function bundleOf(path: string, writers: Map<string, BundleWriter>): [BundleWriter, string] | undefined {
  for (const [dir, writer] of writers) {
    if (path === dir) return [writer, ''];
    if (path.startsWith(`${dir}/`)) return [writer, path.slice(dir.length + 1)];
  }
  return undefined;
}

/** One entry: into its bundle, skipped, written as a wanted binary, or (a throw) the archive refused. */
function routeEntry(entry: ReadEntry, spec: ExtractSpec, state: SinkState, files: FileWrites): void {
  const path = checkedPath(entry.path);
  // Any entry, wanted or not: a bomb is refused at its header instead of after gigabytes of zeros.
  if ((entry.size ?? 0) > spec.maxEntryBytes) {
    throw archiveError(`entry ${JSON.stringify(entry.path)} is ${entry.size} bytes, over the ${formatBytes(spec.maxEntryBytes, 'limit')} limit`);
  }
  const inBundle = bundleOf(path, state.writers);
  if (inBundle) {
    const [writer, rel] = inBundle;
    if (!writer.accept(entry, rel, files.write)) entry.resume();
    return;
  }
  const name = state.wanted.get(path);
  if (name === undefined) {
    entry.resume();
    return;
  }
  if (state.seen.has(path)) throw archiveError(`${path} appears more than once`);
  state.seen.add(path);
  if (REGULAR_ENTRY_TYPES.has(entry.type)) {
    void files.write(entry, name, 0o755, () => undefined);
    return;
  }
  const target = entry.linkpath ? ` -> ${entry.linkpath}` : '';
  const refusal = archiveError(`${path} is a ${entry.type}${target}, not a regular file`);
  // Where this binary may come as a bundle, the bundle (if the archive holds one) decides.
  if (![...state.writers.values()].some((w) => w.spec.binary === name)) throw refusal;
  state.refusedBare.set(path, refusal);
  entry.resume();
}

/**
 * The decision made once the whole archive is read: a binary whose bundle the archive held uses the
 * bundle (its bare copy, if any, is dropped and `<name>` becomes a relative link to the executable);
 * any other binary needs its bare entry, which must have been a regular file.
 */
async function settleLayouts(destDir: string, spec: ExtractSpec, state: SinkState, result: Extracted): Promise<void> {
  const missing: string[] = [];
  for (const [path, name] of Object.entries(spec.entries)) {
    const writer = [...state.writers.values()].find((w) => w.spec.binary === name && w.present);
    if (writer) {
      result.bundleEntries.push(...(await writer.finish()));
      const exe = `${writer.spec.name}/${writer.spec.executable}`;
      await rm(join(destDir, name), { force: true });
      delete result.files[name];
      await symlink(exe, join(destDir, name));
      result.bundles[name] = exe;
      continue;
    }
    const deferred = state.refusedBare.get(path);
    if (deferred) throw deferred;
    if (!state.seen.has(path)) {
      const bundle = Object.entries(spec.bundles ?? {}).find(([, b]) => b.binary === name)?.[0];
      missing.push(bundle ? `${bundle} or ${path}` : path);
    }
  }
  if (missing.length > 0) throw archiveError(`it has no ${missing.join(', ')}`);
}

/** Feeds node-tar's parser, routes its entries, and stops everything at the first failure. */
class TarSink {
  private readonly parser: TarParser;
  private readonly state: SinkState;
  private readonly files: FileWrites;
  /** Resolves once the parser saw the archive's end; rejects with the first failure. */
  private readonly ended: Promise<void>;
  private failure: Error | undefined;
  /** A write waiting for the parser to drain; an aborted parser never drains, so fail() answers it. */
  private waiting: ((err?: Error | null) => void) | undefined;

  constructor(
    Parser: typeof TarParser,
    private readonly destDir: string,
    private readonly spec: ExtractSpec,
    private readonly result: Extracted,
    private readonly position: Position,
    inFlight: Promise<unknown>[],
  ) {
    const maxBundleEntries = spec.maxBundleEntries ?? DEFAULT_MAX_BUNDLE_ENTRIES;
    this.state = {
      wanted: new Map(Object.entries(spec.entries)),
      seen: new Set<string>(),
      writers: new Map(Object.entries(spec.bundles ?? {}).map(([dir, b]) => [dir, new BundleWriter(dir, destDir, b, maxBundleEntries)])),
      refusedBare: new Map(),
    };
    this.files = new FileWrites(destDir, result, this.fail, inFlight);
    this.parser = new Parser({ strict: true });
    this.ended = new Promise<void>((resolve, reject) => {
      this.parser.on('end', resolve);
      this.parser.on('error', (err: Error) => reject(this.failure ?? parserError(err, position)));
    });
    this.ended.catch(() => undefined);
    this.parser.on('entry', this.onEntry);
  }

  private readonly fail = (err: Error): void => {
    this.failure ??= err;
    this.files.closeAll();
    this.parser.abort(err);
    const cb = this.waiting;
    this.waiting = undefined;
    cb?.(this.failure);
  };

  private readonly onEntry = (entry: ReadEntry): void => {
    this.position.entry = entry.path;
    try {
      routeEntry(entry, this.spec, this.state, this.files);
    } catch (err) {
      entry.resume();
      this.fail(err as Error);
    }
  };

  private write(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (this.failure) return cb(this.failure);
    if (this.parser.write(chunk)) return cb();
    this.waiting = cb;
    this.parser.once('drain', () => {
      if (this.waiting !== cb) return;
      this.waiting = undefined;
      cb(this.failure);
    });
  }

  /** The archive's end: every file on disk (flushed), then the layout settled. */
  private async finish(): Promise<void> {
    this.parser.end();
    await this.ended;
    await this.files.all();
    if (this.failure) throw this.failure;
    await settleLayouts(this.destDir, this.spec, this.state, this.result);
  }

  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => this.write(chunk, cb),
      final: (cb) => {
        this.finish().then(() => cb(), (err: Error) => cb(this.failure ?? err));
      },
      destroy: (err, cb) => {
        this.files.closeAll();
        if (err) this.parser.abort(err);
        cb(err);
      },
    });
  }
}

/**
 * A Writable for the decompressed tar that writes the wanted entries of `spec` into `destDir`,
 * filling `result`. It finishes once the archive ended cleanly and every wanted file is on disk.
 * Every file write it starts, and the closing of that file, goes into `inFlight`.
 */
export function tarSink(Parser: typeof TarParser, destDir: string, spec: ExtractSpec, result: Extracted, position: Position, inFlight: Promise<unknown>[]): Writable {
  return new TarSink(Parser, destDir, spec, result, position, inFlight).writable();
}
