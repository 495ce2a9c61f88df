/**
 * Do `tsh` and `tctl` start without Node.js? npm's bin entries (bin/tsh.cjs, bin/tctl.cjs) are
 * JavaScript so that npm can make Windows command shims for them; on Linux and macOS the install script,
 * or else the first run, renames the sh launcher over them (bin/swap.cjs). Where the package directory
 * is not the user's to write (a root-owned global install run by another user, with install scripts
 * blocked), that never happens: every call then starts Node.js first. It still works; this says how to
 * make it fast (docs/behaviour.md item 20).
 */
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, sep } from 'node:path';
import type { Check } from './check.js';
import { failed, passed, shellQuote } from './check.js';

const NAME = 'fast-path';

async function startsWithSh(file: string): Promise<boolean | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const head = Buffer.alloc(9);
    await handle.read(head, 0, 9, 0);
    return head.toString('latin1') === '#!/bin/sh';
  } finally {
    await handle.close();
  }
}

/** `pkgDir`: the package root (default: the one this file was installed with). */
export async function checkFastPath(platform: string = process.platform, pkgDir = fileURLToPath(new URL('../../../', import.meta.url))): Promise<Check> {
  if (platform === 'win32') return passed(NAME, 'Windows: tsh and tctl start through Node.js (Windows has no exec)');
  if (!pkgDir.split(sep).includes('node_modules')) return passed(NAME, `a source checkout: the launchers are ${join(pkgDir, 'shims')}/tsh and tctl`);
  const slow: string[] = [];
  for (const tool of ['tsh', 'tctl']) {
    const entry = join(pkgDir, 'bin', `${tool}.cjs`);
    if ((await startsWithSh(entry)) === false) slow.push(entry);
  }
  if (slow.length === 0) return passed(NAME, 'tsh and tctl run the sh launcher: no Node.js when the version is installed');
  const swap = join(pkgDir, 'bin', 'swap.cjs');
  return failed(
    NAME,
    `${slow.join(' and ')} ${slow.length > 1 ? 'are' : 'is'} still the Node.js entry (the package directory is not writable by you, and npm ran no install script): every call starts Node.js first`,
    `run once as the package's owner: sudo node ${shellQuote(swap)}`,
  );
}
