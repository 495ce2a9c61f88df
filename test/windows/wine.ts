// The Windows test machine: Wine, the real Windows node.exe, and PE programs built with mingw-w64, as
// scripts/wine-setup.mjs left them (scripts/run-tests.mjs runs it before any test under windows/). Every
// command line runs through winrun.exe, so stdio goes to files (Windows node.exe gets EBADF on Unix pipes)
// and the exit code keeps all 32 bits (wine64's own status keeps 8).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WineEnv {
  wine: string;
  server: string;
  prefix: string;
  nodeExe: string;
  npmCli: string;
  fakeTsh: string;
  winrun: string;
  npmCache?: string;
}

const envFile = (): string => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'teleport-tools', 'wine', 'env.json');

/** The machine, or why the Windows tests skip (one line). */
export function loadWine(): WineEnv | string {
  if (process.platform !== 'linux') return `Windows tests run under Wine on Linux (this is ${process.platform})`;
  const file = envFile();
  if (!existsSync(file)) return `no Wine set up: run node scripts/wine-setup.mjs (${file} is missing)`;
  const env = JSON.parse(readFileSync(file, 'utf8')) as WineEnv & { skip?: string };
  if (env.skip) return env.skip;
  for (const path of [env.wine, env.nodeExe, env.fakeTsh, env.winrun]) if (!existsSync(path)) return `${path} is gone: run node scripts/wine-setup.mjs`;
  return env;
}

/** `/tmp/x y` -> `Z:\tmp\x y` (Wine maps Z: to /). */
export const winPath = (unix: string): string => `Z:${unix.replaceAll('/', '\\')}`;

export interface WinResult {
  /** The exit code, unsigned 32 bits. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface WinRunOptions {
  /** Added to the environment the Windows side sees (Wine passes the Unix environment through). */
  env?: Record<string, string | undefined>;
  /** Unix directories put in front of the Windows PATH. */
  path?: string[];
  cwd?: string;
}

/** Wine's environment: the prefix, no X display, no debug output, no Mono/Gecko installer prompts. */
export function wineProcessEnv(wine: WineEnv, opts: WinRunOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, WINEPREFIX: wine.prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
  if (opts.path) env.WINEPATH = opts.path.map(winPath).join(';');
  return env;
}

/**
 * Runs `cmd.exe /d /s /c "<line>"` (what a user's `cmd /c <line>` is) and waits for it. The line reaches
 * cmd.exe exactly as written: no Unix-side quoting in between.
 */
export async function cmd(wine: WineEnv, line: string, opts: WinRunOptions = {}): Promise<WinResult> {
  return runLine(wine, `cmd.exe /d /s /c "${line}"`, opts);
}

/** Runs one CreateProcess command line. */
export async function runLine(wine: WineEnv, commandLine: string, opts: WinRunOptions = {}): Promise<WinResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tt-winrun-'));
  try {
    await writeFile(join(dir, 'cmdline.txt'), `${commandLine}\n`);
    const child = spawn(wine.wine, [wine.winrun, winPath(dir)], { stdio: 'ignore', env: wineProcessEnv(wine, opts), cwd: opts.cwd ?? dir });
    const [status] = (await once(child, 'exit')) as [number | null];
    const code = await readFile(join(dir, 'code.txt'), 'utf8').catch(() => '');
    if (status !== 0 || !/^\d+\n$/.test(code)) throw new Error(`winrun failed (wine64 exit status ${status}) for: ${commandLine}`);
    const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8').catch(() => '');
    return { code: Number(code.trim()), stdout: await read('stdout.txt'), stderr: await read('stderr.txt') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Benchmark: each command line `rounds` times, interleaved; microseconds per run, by line. */
export async function timeLines(wine: WineEnv, lines: string[], rounds: number, opts: WinRunOptions = {}): Promise<number[][]> {
  const dir = await mkdtemp(join(tmpdir(), 'tt-winbench-'));
  try {
    await writeFile(join(dir, 'cmdline.txt'), `${lines.join('\n')}\n`);
    const child = spawn(wine.wine, [wine.winrun, winPath(dir), String(rounds)], { stdio: 'ignore', env: wineProcessEnv(wine, opts), cwd: dir });
    await once(child, 'exit');
    const times: number[][] = lines.map(() => []);
    for (const row of (await readFile(join(dir, 'times.txt'), 'utf8')).trim().split('\n')) {
      const [i, us, code] = row.split(' ').map(Number) as [number, number, number];
      if (code !== 0) throw new Error(`benchmark line ${lines[i]} exited ${code}`);
      times[i]?.push(us);
    }
    return times;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const MARK = Buffer.from('@@TT@@');

/** Writes a fake `<tool>.exe` of `version` (the built program with its tool and version patched in). */
export async function writeFakeExe(wine: WineEnv, tool: string, version: string, dest: string): Promise<void> {
  const bytes = await readFile(wine.fakeTsh);
  const at = bytes.indexOf(MARK);
  const text = Buffer.from(`${tool} ${version}\0`);
  if (at < 0 || text.length > 63) throw new Error(`cannot patch ${wine.fakeTsh}`);
  bytes.fill(0, at + MARK.length, at + MARK.length + 63);
  text.copy(bytes, at + MARK.length);
  await writeFile(dest, bytes);
}

/** The fake program as it was built (tool `tsh`, version 0.0.0). */
export const copyFakeExe = (wine: WineEnv, dest: string): Promise<void> => copyFile(wine.fakeTsh, dest);
