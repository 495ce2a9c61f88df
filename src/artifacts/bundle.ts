/**
 * The entry policy for macOS app bundles (`teleport/tsh.app/…`), which are installed whole: regular
 * files, directories, and symbolic links whose target stays inside the same bundle; nothing else. Modes
 * come from us (directories 0755, files 0755 when the archive marks them executable, else 0644), never
 * an owner. Directories and links are made synchronously as their headers arrive, so later entries
 * always find their parents; file bodies stream like the bare binaries do.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { chmod, realpath } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';
import type { ReadEntry } from 'tar';
import { REGULAR_ENTRY_TYPES, archiveError } from './tar-entry.js';

export interface BundleSpec {
  /** The binary the bundle holds, e.g. `tsh`. */
  binary: string;
  /** The bundle's directory name in the destination, e.g. `tsh.app`. */
  name: string;
  /** The executable inside the bundle, e.g. `Contents/MacOS/tsh`. */
  executable: string;
}

/** One entry of an installed bundle, as the manifest records it. */
export interface BundleEntry {
  /** Relative to the published directory, e.g. `tsh.app/Contents/Info.plist`. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Octal, e.g. `0755` (files and directories). */
  mode?: string;
  sha256?: string;
  /** Symbolic links: the target as written in the archive. */
  target?: string;
}

/**
 * Writes one regular file at a path relative to the destination, calling `onDigest` with its SHA-256
 * before it resolves. Provided by the tar sink (it tracks open files and failures).
 */
export type FileWriter = (entry: ReadEntry, rel: string, mode: number, onDigest: (digest: string) => void) => Promise<void>;

export const DEFAULT_MAX_BUNDLE_ENTRIES = 1000;

const octal = (mode: number): string => `0${mode.toString(8)}`;

/** One bundle being extracted: `archiveDir` (e.g. `teleport/tsh.app`) into `<destDir>/<spec.name>`. */
export class BundleWriter {
  private readonly root: string;
  private readonly recorded = new Map<string, BundleEntry>();
  private readonly links = new Set<string>();
  private count = 0;

  constructor(
    private readonly archiveDir: string,
    destDir: string,
    readonly spec: BundleSpec,
    private readonly maxEntries: number,
  ) {
    this.root = join(destDir, spec.name);
  }

  private where(rel: string): string {
    return rel ? `${this.archiveDir}/${rel}` : this.archiveDir;
  }

  /** Makes `rel` and any missing parent, as directories we own (mode fixed at the end). */
  private ensureDir(rel: string): void {
    const parts = rel ? rel.split('/') : [];
    for (let i = 0; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      const known = this.recorded.get(sub);
      if (known?.type === 'dir') continue;
      if (known) throw archiveError(`${this.where(rel)} needs ${this.where(sub)} to be a directory, but it is a ${known.type}`);
      mkdirSync(join(this.root, sub), { mode: 0o700 });
      this.recorded.set(sub, { path: sub, type: 'dir' });
    }
  }

  /**
   * Takes one entry at `rel` below the bundle directory ('' for the directory itself). Returns the
   * file write in progress, if any. Throws (an EARCHIVE) for anything the policy refuses.
   */
  accept(entry: ReadEntry, rel: string, write: FileWriter): Promise<void> | undefined {
    if (++this.count > this.maxEntries) throw archiveError(`${this.archiveDir} has more than ${this.maxEntries} entries`);
    const parts = rel ? rel.split('/') : [];
    for (let i = 1; i < parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      if (this.links.has(sub)) throw archiveError(`entry ${JSON.stringify(entry.path)} goes through the symbolic link ${this.where(sub)}`);
    }
    const known = this.recorded.get(rel);
    if (entry.type === 'Directory') {
      if (known && known.type !== 'dir') throw archiveError(`${this.where(rel)} appears more than once`);
      this.ensureDir(rel);
      return undefined;
    }
    if (rel === '') throw archiveError(`${this.archiveDir} is a ${entry.type}, not a directory`);
    if (known) throw archiveError(`${this.where(rel)} appears more than once`);
    const parent = posix.dirname(rel);
    this.ensureDir(parent === '.' ? '' : parent);
    const file = join(this.root, rel);
    if (REGULAR_ENTRY_TYPES.has(entry.type)) {
      const mode = (entry.mode ?? 0) & 0o111 ? 0o755 : 0o644;
      const record: BundleEntry = { path: rel, type: 'file', mode: octal(mode) };
      this.recorded.set(rel, record);
      return write(entry, `${this.spec.name}/${rel}`, mode, (digest) => (record.sha256 = digest));
    }
    if (entry.type === 'SymbolicLink') {
      const target = entry.linkpath ?? '';
      this.checkLinkTarget(rel, target);
      symlinkSync(target, file);
      this.links.add(rel);
      this.recorded.set(rel, { path: rel, type: 'symlink', target });
      return undefined;
    }
    const to = entry.linkpath ? ` -> ${entry.linkpath}` : '';
    throw archiveError(`${this.where(rel)} is a ${entry.type}${to}; a bundle may hold only files, directories and links inside itself`);
  }

  /** Lexically: a relative target that does not climb above the bundle. `finish` checks the real path too. */
  private checkLinkTarget(rel: string, target: string): void {
    const link = `${this.where(rel)} -> ${target}`;
    if (!target || posix.isAbsolute(target) || /^[A-Za-z]:|^\\/.test(target)) throw archiveError(`the symbolic link ${link} leaves the bundle`);
    const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
    if (resolved === '..' || resolved.startsWith('../')) throw archiveError(`the symbolic link ${link} leaves the bundle`);
  }

  /**
   * Once every entry is written: the executable is there as a regular file, every link resolves to
   * something inside the bundle (links through links included), directories are 0755. Returns the
   * bundle's entries, paths relative to the published directory, sorted.
   */
  async finish(): Promise<BundleEntry[]> {
    const exe = this.recorded.get(this.spec.executable);
    if (!exe) throw archiveError(`${this.archiveDir} has no ${this.spec.executable}`);
    if (exe.type !== 'file') throw archiveError(`${this.where(this.spec.executable)} is a ${exe.type === 'dir' ? 'directory' : 'symbolic link'}, not a regular file`);
    if (exe.mode !== '0755') throw archiveError(`${this.where(this.spec.executable)} is not marked executable`);
    const rootReal = await realpath(this.root);
    for (const rel of this.links) {
      const real = await realpath(join(this.root, rel)).catch((err: NodeJS.ErrnoException) => err);
      if (real instanceof Error) {
        const why = real.code === 'ELOOP' ? 'loops' : 'points to nothing in the bundle';
        throw archiveError(`the symbolic link ${this.where(rel)} -> ${this.recorded.get(rel)?.target ?? ''} ${why}`, real);
      }
      if (real !== rootReal && !real.startsWith(rootReal + sep)) {
        throw archiveError(`the symbolic link ${this.where(rel)} -> ${this.recorded.get(rel)?.target ?? ''} leaves the bundle`);
      }
    }
    const out: BundleEntry[] = [];
    for (const record of this.recorded.values()) {
      if (record.type === 'dir') {
        await chmod(join(this.root, record.path), 0o755);
        record.mode = '0755';
      }
      out.push({ ...record, path: record.path ? `${this.spec.name}/${record.path}` : this.spec.name });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Did the archive hold anything of this bundle? */
  get present(): boolean {
    return this.count > 0;
  }
}
