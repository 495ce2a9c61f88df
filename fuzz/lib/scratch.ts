/**
 * Scratch directories for targets that need files: one per name and process, removed at the end. In
 * memory (/dev/shm) where there is one: the extractor flushes every file it writes, and on a disk
 * those flushes, not the code under test, would set the pace.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchBase(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

const roots = new Map<string, string>();
// A fuzzing process ends when libFuzzer's budget does, through process.exit: remove what it made then.
process.on('exit', () => removeScratch());

function rootOf(name: string): string {
  let root = roots.get(name);
  if (!root) roots.set(name, (root = mkdtempSync(join(scratchBase(), `tt-fuzz-${name}-`))));
  return root;
}

/** `<tmp>/tt-fuzz-<name>-XXXX/case`, new and empty (for targets whose code writes into it). */
export function freshDir(name: string): string {
  const dir = join(rootOf(name), 'case');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  return dir;
}

/** The same directory for every input (for targets that only overwrite the files they read). */
export function reusedDir(name: string): string {
  return rootOf(name);
}

export function removeScratch(): void {
  for (const root of roots.values()) rmSync(root, { recursive: true, force: true });
  roots.clear();
}
