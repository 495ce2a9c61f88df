/**
 * One case through both implementations of the launchers' decision: the shims' shell code (run by
 * dash and by bash) and the TypeScript the slow path runs. They must agree on the call's profile and
 * on the version read from the records (the shell may only say "no version" where TypeScript refuses
 * a pin), and a `tsh login`/`tsh logout` must never take the fast path.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings, readCall, readQuietly, selectVersion } from '../adapters/profile.js';
import { check } from './check.js';
import { scratchBase } from './scratch.js';
import { ShellRules } from './shell-rules.js';
import type { Shell, ShimCase, ShimDecision, ShimTool } from './shell-rules.js';

export interface HomeFiles {
  currentProfile?: Buffer | undefined;
  cloudStableVersion?: Buffer | undefined;
  /** `cluster-versions/<name>`: a file, a link to a file holding `content`, or a directory. */
  record?: { name: string; kind: 'file' | 'symlink' | 'dir'; content: Buffer } | undefined;
}

export interface DiffCase {
  tool: ShimTool;
  args: string[];
  env: ShimCase['env'];
  files: HomeFiles;
}

const shells = new Map<Shell, ShellRules>();
let home: string | undefined;

function shellFor(name: Shell): ShellRules {
  let s = shells.get(name);
  if (!s) shells.set(name, (s = new ShellRules(name)));
  return s;
}

/** Ends the long-lived shells (tests call this once they are done). */
export function closeShells(): void {
  for (const s of shells.values()) s.close();
  shells.clear();
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
}

function writeHome(files: HomeFiles): string {
  home ??= mkdtempSync(join(scratchBase(), 'tt-fuzz-home-'));
  rmSync(home, { recursive: true, force: true });
  mkdirSync(join(home, 'cluster-versions'), { recursive: true });
  if (files.currentProfile) writeFileSync(join(home, 'current-profile'), files.currentProfile);
  if (files.cloudStableVersion) writeFileSync(join(home, 'cloud-stable-version'), files.cloudStableVersion);
  const r = files.record;
  if (r) {
    const file = join(home, 'cluster-versions', r.name);
    if (r.kind === 'dir') mkdirSync(file);
    else if (r.kind === 'file') writeFileSync(file, r.content);
    else {
      writeFileSync(join(home, 'link-target'), r.content);
      symlinkSync(join(home, 'link-target'), file);
    }
  }
  return home;
}

/** What the TypeScript side decides for the case, in the shim's terms. */
async function typescriptDecision(c: DiffCase, dir: string): Promise<ShimDecision & { pinInvalid: boolean; pinned: boolean }> {
  const env: Record<string, string> = { HOME: dir, TELEPORT_HOME: dir };
  for (const [k, v] of Object.entries(c.env)) if (v !== undefined) env[k] = v;
  const settings = await loadSettings({ env });
  const currentProfile = readQuietly(settings.currentProfileFile);
  const call = readCall({ tool: c.tool, args: c.args, envProxy: settings.env.TELEPORT_PROXY, currentProfile });
  const { profile, subcommand } = call;
  const selection = await selectVersion(settings, profile);
  return {
    slow: subcommand === 'login' || subcommand === 'logout',
    profile: profile ?? '',
    version: selection.version ?? '',
    pinInvalid: settings.pin.kind === 'invalid',
    pinned: settings.pin.kind === 'version' || settings.pin.kind === 'invalid',
  };
}

const SHELLS: readonly Shell[] = ['dash', 'bash'];

export async function compareShimAndTypescript(c: DiffCase): Promise<void> {
  const dir = writeHome(c.files);
  const ts = await typescriptDecision(c, dir);
  for (const name of SHELLS) {
    const sh = await shellFor(name).decide({ tool: c.tool, home: dir, args: c.args, env: c.env });
    const what = `${name} and TypeScript disagree`;
    if (ts.slow) check(sh.slow, `${what}: TypeScript sees a login or logout, ${name} would take the fast path`);
    if (!ts.pinned) check(sh.profile === ts.profile, `${what} on the call's profile: ${JSON.stringify(sh.profile)} vs ${JSON.stringify(ts.profile)}`);
    const expected = ts.pinInvalid ? '' : ts.version;
    check(sh.version === expected, `${what} on the version: ${JSON.stringify(sh.version)} vs ${JSON.stringify(expected)}`);
  }
}
