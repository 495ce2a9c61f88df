// npm as the packaging tests use it: the user's own configuration (registry, cache) without what an
// outer `npm test` exported, no audit, fund or update chatter, and `npm pack` of this repository.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, run } from './sandbox.js';
import type { RunResult } from './sandbox.js';

/** Why the packaging tests cannot run here, or false when npm is on PATH. */
export const noNpm: string | false = spawnSync('npm', ['--version']).error ? 'npm is not on PATH' : false;

/** The environment minus the `npm_*` variables an outer `npm test` exported. */
export const npmEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

export function npm(args: string[], cwd: string): Promise<RunResult> {
  return run('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error'], { env: npmEnv, cwd });
}

export interface Packed {
  /** The tarball's path. */
  tarball: string;
  version: string;
  /** The paths it holds, sorted. */
  files: string[];
}

/**
 * This repository packed into `dir` and installed globally into `<dir>/prefix`, as a user would
 * (`flags` added to `npm install -g`); its commands are in `<prefix>/bin`.
 */
export async function installPacked(dir: string, flags: string[] = []): Promise<Packed & { prefix: string }> {
  const packed = await packRepo(dir);
  const prefix = join(dir, 'prefix');
  const install = await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', ...flags, packed.tarball], dir);
  assert.equal(install.code, 0, install.stderr);
  return { ...packed, prefix };
}

/** `npm pack` of this repository into `dest`. */
export async function packRepo(dest: string): Promise<Packed> {
  const pack = await npm(['pack', '--json', '--pack-destination', dest], REPO);
  assert.equal(pack.code, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; version: string; files: { path: string }[] }[];
  assert.ok(info, pack.stdout);
  return { tarball: join(dest, info.filename), version: info.version, files: info.files.map((f) => f.path).sort() };
}
