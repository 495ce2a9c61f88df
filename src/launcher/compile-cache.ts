/**
 * V8's code cache for the launcher bundle (slow-path.cjs), so that a slow-path run (every `tsh login`)
 * does not compile ~140 kB of JavaScript again. Node.js 20 has no module.enableCompileCache, so the
 * bundle is compiled here with vm.Script and its cachedData, and run as CommonJS would run it.
 *
 * Cached bytecode runs as this user's code, so it is trusted like a binary (docs/behaviour.md item 26):
 * it lives only in $TELEPORT_HOME/cache/.compile-cache, a real directory of this user with mode 0700,
 * and a cache file is used only when it is a regular file of this user writable by no one
 * else. Anything else, or any error, means compiling normally. A file whose digest does not match the
 * bundle, or whose bytes V8 rejects (another Node.js, a truncated write), is replaced after the run.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomic } from '../write-file-atomic.js';

/** The directory under TELEPORT_HOME (a dot entry of cache/, which retention and cleanup never touch). */
export function compileCacheDir(home: string): string {
  return join(home, 'cache', '.compile-cache');
}

/** off: no usable directory; absent: no file yet; accepted/rejected: what V8 made of the file. */
export type CacheState = 'off' | 'absent' | 'accepted' | 'rejected';

export interface LoadedBundle {
  exports: unknown;
  cache: CacheState;
  /** Writes the cache when it was absent or rejected; call once the bundle's work is done. Never throws. */
  save(): Promise<void>;
}

/** This user's and not a link; a directory only for this user (0700), a file writable by no one else. */
function isPrivate(s: Stats, kind: 'directory' | 'file'): boolean {
  const mine = process.getuid?.();
  const right = kind === 'directory' ? s.isDirectory() && (s.mode & 0o077) === 0 : s.isFile() && (s.mode & 0o022) === 0;
  return right && mine !== undefined && s.uid === mine;
}

function ownRealDirectory(dir: string): boolean {
  const s = lstatSync(dir, { throwIfNoEntry: false });
  return s !== undefined && s.isDirectory() && s.uid === process.getuid?.();
}

function directoryState(dir: string): 'usable' | 'absent' | 'unsafe' {
  try {
    return isPrivate(lstatSync(dir), 'directory') ? 'usable' : 'unsafe';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'unsafe';
  }
}

/** The file's bytes when it is private (opened without following a link); 'unusable' otherwise. */
function readPrivate(file: string): Buffer | 'missing' | 'unusable' {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unusable';
  }
  try {
    return isPrivate(fstatSync(fd), 'file') ? readFileSync(fd) : 'unusable';
  } catch {
    return 'unusable';
  } finally {
    closeSync(fd);
  }
}

/** The cache file: one for each Node.js and architecture. */
function cacheFile(dir: string): string {
  return join(dir, `run-${process.version}-${process.arch}.bin`);
}

const sha256 = (...parts: Uint8Array[]): Buffer => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
const HASH = 32;

/**
 * The file holds the bundle's SHA-256, the SHA-256 of V8's bytes, then those bytes: V8 checks only a
 * header (a release build does not checksum the rest), so a damaged file is caught here.
 */
function cachedBytes(stored: Buffer, source: Buffer): Buffer | undefined {
  if (stored.length <= 2 * HASH || !stored.subarray(0, HASH).equals(source)) return undefined;
  const data = stored.subarray(2 * HASH);
  return stored.subarray(HASH, 2 * HASH).equals(sha256(data)) ? data : undefined;
}

/** Compiles `source` with the cached bytes when they belong to it; the state says how that went. */
function compile(source: string, bundle: string, dir: string | undefined, digest: Buffer): { script: Script; cache: CacheState } {
  const stored = dir === undefined ? 'unusable' : readPrivate(cacheFile(dir));
  const cachedData = typeof stored === 'string' ? undefined : cachedBytes(stored, digest);
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData });
  if (dir === undefined) return { script, cache: 'off' };
  if (stored === 'missing') return { script, cache: 'absent' };
  return { script, cache: cachedData !== undefined && script.cachedDataRejected === false ? 'accepted' : 'rejected' };
}

async function write(dir: string, digest: Buffer, script: Script): Promise<void> {
  // Only inside a cache/ that is a real directory of this user's: never through a link to elsewhere.
  if (!ownRealDirectory(dirname(dir))) return;
  try {
    // Not recursive: without TELEPORT_HOME/cache there is nothing installed to speed up.
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return;
  }
  if (directoryState(dir) !== 'usable') return;
  const data = script.createCachedData();
  await writeFileAtomic(cacheFile(dir), Buffer.concat([digest, sha256(data), data]), { mode: 0o600 });
}

/** Compiles and runs the CommonJS file `bundle` (with the code cache under `home` when it is safe). */
export function loadBundle(bundle: string, home: string): LoadedBundle {
  // Hashing the bytes as read: hashing the decoded string would encode it again.
  const bytes = readFileSync(bundle);
  const digest = sha256(bytes);
  const source = bytes.toString('utf8');
  const candidate = compileCacheDir(home);
  const state = process.getuid === undefined ? 'unsafe' : directoryState(candidate);
  const { script, cache } = compile(source, bundle, state === 'unsafe' ? undefined : candidate, digest);
  const mod = new Module(bundle);
  mod.filename = bundle;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  mod.loaded = true;
  const stale = cache === 'absent' || cache === 'rejected';
  return {
    exports: mod.exports,
    cache,
    save: () => (stale ? write(candidate, digest, script).catch(() => undefined) : Promise.resolve()),
  };
}

