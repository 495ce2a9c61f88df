/**
 * The end of the extraction pipeline: the decompressed tar goes into node-tar's strict Parser, each
 * entry is checked and either skipped, refused (the whole archive) or written, and once the archive
 * ended cleanly the layout (bare binaries or app bundles) is settled. Three parts, each with one job:
 * `FileWrites` (file-writes.ts) streams entry bodies to disk, `routeEntry` decides per entry, `TarSink` feeds the
 * parser and owns the one failure that stops everything.
 */
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Parser as TarParser, ReadEntry } from 'tar';
import type { ToolsError } from '../errors.js';
import { formatBytes } from '../ui/bytes.js';
import { BundleWriter, DEFAULT_MAX_BUNDLE_ENTRIES } from './bundle.js';
import type { ExtractSpec, Extracted } from './extract-spec.js';
import { FileWrites } from './file-writes.js';
import { REGULAR_ENTRY_TYPES, archiveError, checkedPath, parserError } from './tar-entry.js';
import type { Position } from './tar-entry.js';

interface SinkState {
  wanted: Map<string, string>;
  seen: Set<string>;
  writers: Map<string, BundleWriter>;
  /** Bare entries that are not regular files, where a bundle may still make them irrelevant. */
  refusedBare: Map<string, ToolsError>;
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

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Feeds node-tar's parser, routes its entries, and stops everything at the first failure. */
class TarSink {
  private readonly parser: TarParser;
  private readonly state: SinkState;
  private readonly files: FileWrites;
  /** Resolves once the parser saw the archive's end; rejects with the first failure. */
  private readonly ended: Promise<void>;
  private failure: Error | undefined;
  /** The decompressed stream's first bytes, until there are enough to check (then undefined). */
  private head: Buffer | undefined = Buffer.alloc(0);
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
    // The gzip layer is ours (archive.ts): a tar inside it is never compressed again. node-tar would
    // sniff for another layer and, for a gzip one cut short, never finish; zstd and brotli are switched
    // off here, and a second gzip header is refused in write().
    this.parser = new Parser({ strict: true, zstd: false, brotli: false });
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
    if (this.head !== undefined) {
      // The first bytes wait until there are enough to tell a tar from a second gzip layer.
      const head = Buffer.concat([this.head, chunk]);
      if (head.length < GZIP_MAGIC.length) {
        this.head = head;
        return cb();
      }
      this.head = undefined;
      if (head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) {
        this.fail(archiveError('the tar inside it is compressed again (a second gzip layer)'));
        return cb(this.failure);
      }
      chunk = head;
    }
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
    // Fewer bytes than a gzip header: too short for a tar too, which the parser says.
    if (this.head !== undefined && this.head.length > 0) this.parser.write(this.head);
    this.head = undefined;
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
