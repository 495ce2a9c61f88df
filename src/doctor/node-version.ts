/**
 * The Node.js the launchers use: shims/tsh runs the first `node` on PATH for installs and updates, which
 * is not always the one running this command (nvm in an interactive shell, an old distro package in
 * cron or an IDE). The fast path needs no Node.js, so a missing one only hurts when something must change.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { compareVersions } from '../version.js';
import type { Check } from './check.js';
import { failed, passed } from './check.js';

export const MIN_NODE = '20.19.0';
const NAME = 'node';

async function firstOnPath(name: string, pathVar: string): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return undefined;
}

function nodeVersion(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, ['--version'], { timeout: 10_000, env: {} }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim())));
  });
}

const UPGRADE = `install Node.js ${MIN_NODE.replace(/\.0$/, '')} or later (https://nodejs.org, your package manager, or nvm) and put it first on PATH`;

export async function checkNode(pathVar: string | undefined): Promise<Check> {
  const node = await firstOnPath('node', pathVar ?? '');
  if (!node) {
    return failed(NAME, 'no node on PATH: tsh and tctl can run an installed version but cannot install or update one', UPGRADE);
  }
  let printed: string;
  try {
    printed = await nodeVersion(node);
  } catch (err) {
    return failed(NAME, `${node} --version failed: ${(err as Error).message.split('\n')[0] ?? ''}`, UPGRADE);
  }
  const version = /^v?(\d+\.\d+\.\d+)/.exec(printed)?.[1];
  if (!version) return failed(NAME, `${node} --version printed ${JSON.stringify(printed.slice(0, 40))}, not a Node.js version`, UPGRADE);
  if (compareVersions(version, MIN_NODE) < 0) {
    return failed(NAME, `${node} is Node.js v${version}; teleport-tools needs ${MIN_NODE.replace(/\.0$/, '')} or later`, UPGRADE);
  }
  return passed(NAME, `${node} is Node.js v${version} (the launchers use it to install updates)`);
}
