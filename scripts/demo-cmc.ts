// The Connect My Computer part of `npm run demo` (scripts/demo.ts calls it after its own part): setup,
// start until the node is visible, status, stop, remove, against the fake cluster named by
// FAKE_TELEPORT_CLUSTER. Every command shown is really run; its output is real.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface CmcDemoOptions {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** dist/src/cli/main.js (or a link to it). */
  cli: string;
  /** The tsh launcher. */
  tsh: string;
}

/** Sends each complete line of a stream to `log`, indented (and tagged, for a process in the background). */
function lines(stream: NodeJS.ReadableStream | null, log: (line: string) => void, tag: string, onLine?: (line: string) => void): void {
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      log(`  ${tag}${line}`);
      onLine?.(line);
    }
  });
  stream?.on('end', () => {
    if (partial) log(`  ${tag}${partial}`);
  });
}

function start(opts: CmcDemoOptions, shown: string, file: string, args: string[], onLine?: (line: string) => void): { child: ChildProcess; done: Promise<number> } {
  const background = onLine !== undefined;
  opts.log(`$ ${shown}${background ? ' &' : ''}`);
  const tag = background ? `[${shown.replace(/^teleport-tools /, '')}] ` : '';
  const child = spawn(file, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  lines(child.stdout, opts.log, tag, onLine);
  lines(child.stderr, opts.log, tag, onLine);
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject).on('close', (code) => resolve(code ?? 1));
  });
  return { child, done };
}

export async function runCmcDemo(opts: CmcDemoOptions): Promise<void> {
  const clusterFile = opts.env.FAKE_TELEPORT_CLUSTER;
  if (!clusterFile) throw new Error('runCmcDemo needs FAKE_TELEPORT_CLUSTER in env');
  const { proxy } = JSON.parse(await readFile(clusterFile, 'utf8')) as { proxy: string };
  const failed: string[] = [];
  const run = async (shown: string, file: string, args: string[]): Promise<void> => {
    const code = await start(opts, shown, file, args).done;
    if (code !== 0) failed.push(`${shown} (exit ${code})`);
  };
  const tt = (args: string[]) => run(`teleport-tools ${args.join(' ')}`, process.execPath, [opts.cli, ...args]);

  opts.log('Log in to the (fake) cluster whose proxy also answers /webapi/ping:');
  await run(`tsh login --proxy=${proxy} --user=alice`, opts.tsh, ['login', `--proxy=${proxy}`, '--user=alice']);
  opts.log('Setup: four steps, each safe to run again.');
  await tt(['cmc', 'setup']);

  opts.log('Share this computer (in the foreground, like an app window) until the node is visible:');
  let visible!: () => void;
  const joined = new Promise<void>((resolve) => (visible = resolve));
  const sharing = start(opts, 'teleport-tools cmc start', process.execPath, [opts.cli, 'cmc', 'start'], (line) => {
    if (line.startsWith('Press Ctrl-C')) visible();
  });
  const outcome = await Promise.race([joined.then(() => 'joined' as const), sharing.done]);
  if (outcome !== 'joined') {
    failed.push(`teleport-tools cmc start (exit ${outcome})`);
  } else {
    opts.log('While it runs (its output is tagged [cmc start]), from another terminal:');
    await tt(['cmc', 'status']);
    await tt(['cmc', 'stop']);
    const code = await sharing.done;
    opts.log(`  (cmc start exited ${code} after cmc stop)`);
    if (code !== 0) failed.push(`teleport-tools cmc start (exit ${code})`);
  }
  opts.log('Remove: stop, delete the agent directory and the node; the role and the agent binary stay.');
  await tt(['cmc', 'remove']);
  if (failed.length) throw new Error(`Connect My Computer demo: failed: ${failed.join(', ')}`);
}
