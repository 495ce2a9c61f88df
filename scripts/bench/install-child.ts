// Starts the launchers' own install child (src/tools/install-child.ts, with install-process.ts's Node
// flags) for one version against a CDN, as `tsh` does when it installs: the same entry point, the same
// installTools (download, verify, publish, record, retention), its answer on stdout and its progress on
// stderr. The bench adds only scripts/bench/peak-rss.ts, which reports the child's peak RSS on fd 3.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildAnswer, ChildRequest } from '../../src/tools/install-process.js';
import { tlsPaths } from '../../test/helpers/tls.js';

const INSTALL_CHILD = fileURLToPath(new URL('../../src/tools/install-child.js', import.meta.url));
const PEAK_RSS = new URL('./peak-rss.js', import.meta.url).href;

export interface ChildRunOptions {
  cdn: string;
  version: string;
  /** TELEPORT_HOME; the cache is `<home>/cache`. */
  home: string;
  /** Node flags (the launchers use INSTALL_NODE_FLAGS). */
  nodeFlags: readonly string[];
  env?: Record<string, string>;
  /**
   * Under a shell of its own: a crash checkpoint kills the child and the process that started it (the
   * launcher, in real use), which must then not be the bench.
   */
  ownParent?: boolean;
}

export interface ChildRun {
  wallMs: number;
  answer: ChildAnswer | undefined;
  /** Of the install child; 0 when it died before saying. */
  peakRssBytes: number;
  stderr: string;
}

export const cacheOf = (home: string): string => join(home, 'cache');

export function startInstallChild(o: ChildRunOptions): { child: ChildProcess; done: Promise<ChildRun> } {
  const request: ChildRequest = { version: o.version, opts: { record: true } };
  const args = [...o.nodeFlags, '--import', PEAK_RSS, INSTALL_CHILD, JSON.stringify(request)];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    NODE_EXTRA_CA_CERTS: tlsPaths.ca,
    TELEPORT_HOME: o.home,
    TELEPORT_CDN_BASE_URL: o.cdn,
    ...o.env,
  };
  const started = performance.now();
  const [file, argv] = o.ownParent ? ['sh', ['-c', '"$@"; :', 'sh', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '', measure: '' };
  child.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()));
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => (out.measure += d.toString()));
  const done = new Promise<ChildRun>((resolve, reject) => {
    child.on('error', reject).on('close', () => {
      const wallMs = performance.now() - started;
      const last = out.stdout.trim().split('\n').at(-1) ?? '';
      const answer = last.startsWith('{') ? (JSON.parse(last) as ChildAnswer) : undefined;
      const measured = out.measure.trim() ? (JSON.parse(out.measure.trim()) as { peakRssBytes: number }) : undefined;
      resolve({ wallMs, answer, peakRssBytes: measured?.peakRssBytes ?? 0, stderr: out.stderr });
    });
  });
  return { child, done };
}

/** Runs the child to its answer; throws unless it installed. */
export async function installInChild(o: ChildRunOptions): Promise<ChildRun> {
  const run = await startInstallChild(o).done;
  if (!run.answer?.ok) throw new Error(`install failed: ${JSON.stringify(run.answer)} ${run.stderr}`);
  return run;
}
