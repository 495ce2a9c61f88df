/**
 * When the selected version cannot run: the newest installed version, else the next tsh/tctl on PATH
 * that is not a launcher (this one or another copy: they carry LAUNCHER_MARKER near the top).
 */
import { open, realpath, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Tool } from './cache.js';
import { executableMode, exeName } from '../artifacts/exe-name.js';

export const LAUNCHER_MARKER = 'teleport-tools launcher';

/** Does `file` carry the launcher marker in its first lines (shims/tsh, shims/tctl, or a copy)? */
export async function isLauncher(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('latin1').includes(LAUNCHER_MARKER);
  } finally {
    await handle.close();
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  const s = await stat(file).catch(() => undefined);
  return s !== undefined && s.isFile() && executableMode(s.mode);
}

/** The first `tool` on PATH that is neither `self` nor any launcher of ours. */
export async function findOnPath(tool: Tool, pathVar: string | undefined, self: string): Promise<string | undefined> {
  const selfReal = await realpath(self).catch(() => self);
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, exeName(tool));
    if (!(await isExecutableFile(candidate))) continue;
    const real = await realpath(candidate).catch(() => candidate);
    if (real === selfReal || (await isLauncher(real))) continue;
    return candidate;
  }
  return undefined;
}
