/**
 * Is the `tsh` (or `tctl`) a shell finds first on PATH our launcher, and can it run? The usual ways
 * this goes wrong: an older Teleport install (/usr/local/bin/tsh, Homebrew, a .pkg) earlier on PATH,
 * npm's bin directory missing from PATH, or a launcher copied without its executable bit.
 */
import { access, constants, readFile, realpath, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { Tool } from '../tools/cache.js';
import { isLauncher } from '../tools/fallback.js';
import type { Check } from './check.js';
import { failed, passed, shellQuote } from './check.js';

interface Candidate {
  path: string;
  /** Where a symlink (npm's bin link) points; the path itself otherwise. */
  real: string;
  executable: boolean;
  launcher: boolean;
}

async function candidates(tool: Tool, pathVar: string): Promise<Candidate[]> {
  const found: Candidate[] = [];
  const seen = new Set<string>();
  for (const dir of pathVar.split(delimiter)) {
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    for (const name of commandNames(tool)) {
      const path = join(dir, name);
      const s = await stat(path).catch(() => undefined);
      if (!s?.isFile()) continue;
      const real = await realpath(path).catch(() => path);
      const executable = process.platform === 'win32' || (await access(path, constants.X_OK).then(() => true, () => false));
      found.push({ path, real, executable, launcher: (await isLauncher(real)) || (await isOurCmdShim(real, tool)) });
      // cmd.exe runs the first of them in a directory (PATHEXT order).
      break;
    }
  }
  return found;
}

/** What a shell runs for `tool`: the file itself, or on Windows `tsh.exe` (an installer's, Teleport Connect's) before `tsh.cmd` (npm's shim). */
function commandNames(tool: Tool): string[] {
  return process.platform === 'win32' ? [`${tool}.exe`, `${tool}.cmd`] : [tool];
}

/** npm's command shim for our bin entry (Windows): it names `teleport-tools\bin\<tool>.cjs`. */
async function isOurCmdShim(file: string, tool: Tool): Promise<boolean> {
  if (!file.toLowerCase().endsWith('.cmd')) return false;
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.includes(`\\teleport-tools\\bin\\${tool}.cjs`);
}

const WIN = process.platform === 'win32';
/** Where npm puts global commands: `<prefix>/bin`, or on Windows the prefix itself. */
const NPM_BIN = WIN ? 'the folder `npm prefix -g` prints' : '"$(npm prefix -g)/bin"';

export interface LauncherCheckOptions {
  /** PATH as the user's shell has it. */
  pathVar: string | undefined;
  /** Directories that may hold our launchers (where this CLI was started from), for the fix. */
  binDirHints?: readonly string[] | undefined;
}

export async function checkLauncher(tool: Tool, opts: LauncherCheckOptions): Promise<Check> {
  const all = await candidates(tool, opts.pathVar ?? '');
  // A shell skips files it cannot execute, so the first executable one is what `tool` runs.
  const first = all.find((c) => c.executable);
  const ours = all.find((c) => c.launcher);
  let ourDir = ours ? dirname(ours.path) : undefined;
  for (const dir of opts.binDirHints ?? []) {
    if (ourDir) break;
    if (await isLauncher(join(dir, tool))) ourDir = dir;
  }
  const linked = (c: Candidate): string => (c.real !== c.path ? ` (-> ${c.real})` : '');

  if (ours && !ours.executable && (!first || all.indexOf(ours) < all.indexOf(first))) {
    return failed(tool, `${ours.path} is the teleport-tools launcher but is not executable${linked(ours)}`, `chmod +x ${shellQuote(ours.real)}`);
  }
  if (!first) {
    const where = ourDir ? `add ${shellQuote(ourDir)} to PATH` : `add the directory npm installs commands into (${NPM_BIN}) to PATH`;
    return failed(tool, `no ${tool} on PATH`, `${where}, ${WIN ? 'in the user environment variables' : 'e.g. in ~/.profile'}, then open a new ${WIN ? 'terminal' : 'shell'}`);
  }
  if (first.launcher) return passed(tool, `${first.path} is the teleport-tools launcher${linked(first)}`);
  const detail = `${first.path} comes first on PATH and is not the teleport-tools launcher${linked(first)}`;
  if (ourDir) {
    const then = WIN ? 'then open a new terminal' : "then run 'hash -r'";
    return failed(tool, detail, `put ${shellQuote(ourDir)} before ${shellQuote(dirname(first.path))} in PATH, or remove ${shellQuote(first.path)} (an older Teleport install?); ${then}`);
  }
  return failed(tool, detail, `install the launchers (npm install -g teleport-tools) and put ${NPM_BIN} before ${shellQuote(dirname(first.path))} in PATH`);
}
