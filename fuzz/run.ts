/**
 * `npm run fuzz [-- --seconds N | --runs N] [target...]`: runs each fuzz target under Jazzer.js
 * (libFuzzer) for a time budget (default 60 s each) or a number of executions, then prints one table.
 * New interesting inputs go to node_modules/.cache/teleport-tools-fuzz/corpus/<target> (the committed
 * seeds in fuzz/corpus/<target> are read, never written); a crash is written to fuzz/crashes/<target>/,
 * where `npm test` replays it from then on. Logs: node_modules/.cache/teleport-tools-fuzz/logs/.
 * `--save-corpus` copies the inputs libFuzzer kept (its coverage-distinct corpus) into
 * fuzz/corpus/<target>/ for committing, leaving out any the directory already holds.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseLibFuzzerLog } from './libfuzzer-log.js';
import type { RunStats } from './libfuzzer-log.js';
import { CACHE, ROOT, prepareJazzer } from './setup/jazzer-addon.js';
import { TARGETS } from './targets/index.js';
import type { TargetInfo } from './targets/index.js';

/** Start-up (instrumenting the code under test) and the final merge take a while on a busy machine. */
const STOP_GRACE_S = 120;

interface Budget {
  seconds: number;
  runs: number | undefined;
  saveCorpus: boolean;
}

function parseArgs(argv: string[]): { budget: Budget; names: string[] } {
  const budget: Budget = { seconds: 60, runs: undefined, saveCorpus: false };
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '--seconds' || flag === '--runs') {
      const n = Number(inline ?? argv[++i]);
      if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} takes a positive whole number`);
      if (flag === '--seconds') budget.seconds = n;
      else budget.runs = n;
    } else if (a === '--save-corpus') budget.saveCorpus = true;
    else if (TARGETS.some((t) => t.name === a)) names.push(a);
    else throw new Error(`unknown argument ${a} (targets: ${TARGETS.map((t) => t.name).join(', ')}; flags: --seconds N, --runs N, --save-corpus)`);
  }
  // --runs alone: as long as it takes.
  if (budget.runs !== undefined && !argv.some((a) => a.startsWith('--seconds'))) budget.seconds = 0;
  return { budget, names };
}

const sha1 = (file: string): string => createHash('sha1').update(readFileSync(file)).digest('hex');

/** Copies the inputs of `from` whose content `to` does not hold yet; returns how many. */
function saveCorpus(from: string, to: string): number {
  const have = new Set(readdirSync(to).map((f) => sha1(join(to, f))));
  let saved = 0;
  for (const f of readdirSync(from)) {
    const digest = sha1(join(from, f));
    if (have.has(digest)) continue;
    copyFileSync(join(from, f), join(to, digest));
    have.add(digest);
    saved++;
  }
  return saved;
}

const crashFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^(crash|timeout|oom|leak)-/.test(f));

async function runTarget(t: TargetInfo, budget: Budget, env: Record<string, string>): Promise<RunStats & { crashes: number }> {
  const work = join(CACHE, 'corpus', t.name);
  const crashes = join(ROOT, 'fuzz', 'crashes', t.name);
  const logs = join(CACHE, 'logs');
  for (const d of [work, crashes, logs]) mkdirSync(d, { recursive: true });
  const before = new Set(crashFiles(crashes));
  const cli = join(dirname(createRequire(import.meta.url).resolve('@jazzer.js/core/package.json')), 'dist', 'cli.js');
  const args = [
    cli, join(ROOT, 'dist', 'fuzz', 'targets', `${t.name}.js`), work, join(ROOT, 'fuzz', 'corpus', t.name),
    ...(t.sync ? ['--sync'] : []), '-i', 'dist/src/', '-i', 'node_modules/tar/', '-i', 'node_modules/yauzl/', '-e', 'dist/fuzz/', '--disable_bug_detectors', '.*', '--timeout', '10000',
    '--', `-max_len=${t.maxLen}`, `-artifact_prefix=${crashes}/`, '-print_final_stats=1',
    ...(budget.seconds > 0 ? [`-max_total_time=${budget.seconds}`] : []), ...(budget.runs !== undefined ? [`-runs=${budget.runs}`] : []),
  ];
  const log = createWriteStream(join(logs, `${t.name}.log`));
  let text = '';
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      log.write(chunk);
      text = (text + chunk.toString('latin1')).slice(-200_000);
    });
  }
  // A target that keeps its process alive past the budget is stopped (and says so in the log).
  const watchdog = budget.seconds > 0 ? setTimeout(() => {
    log.write(`\nfuzz: still running ${STOP_GRACE_S} s after the budget: stopped\n`);
    child.kill('SIGKILL');
  }, (budget.seconds + STOP_GRACE_S) * 1000) : undefined;
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  clearTimeout(watchdog);
  log.end();
  const stats = parseLibFuzzerLog(text, (Date.now() - started) / 1000);
  if (budget.saveCorpus) console.log(`fuzz: ${t.name}: ${saveCorpus(work, join(ROOT, 'fuzz', 'corpus', t.name))} inputs saved to fuzz/corpus/${t.name}/`);
  return { ...stats, crashes: crashFiles(crashes).filter((f) => !before.has(f)).length };
}

function table(rows: (string | number)[][]): string {
  const header = ['target', 'executions', 'exec/s', 'coverage edges', 'corpus', 'crashes'];
  const all = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? ':' : '-').padEnd(w + 1, '-') + (i === 0 ? '-' : ':')).join('|')}|`, ...all.slice(1).map(line)].join('\n');
}

async function main(): Promise<void> {
  const { budget, names } = parseArgs(process.argv.slice(2));
  const setup = prepareJazzer();
  for (const note of setup.notes) console.log(`fuzz: ${note}`);
  const targets = TARGETS.filter((t) => names.length === 0 || names.includes(t.name));
  const what = [budget.seconds > 0 ? `${budget.seconds} s` : '', budget.runs !== undefined ? `${budget.runs} runs` : ''].filter(Boolean).join(' or ');
  console.log(`fuzz: ${targets.length} targets, ${what} each`);
  const rows: (string | number)[][] = [];
  let crashed = 0;
  for (const t of targets) {
    const r = await runTarget(t, budget, setup.env);
    console.log(`fuzz: ${t.name}: ${r.executions} executions, ${r.crashes} crashes`);
    rows.push([t.name, r.executions, r.execPerSec, r.edges, r.corpus, r.crashes]);
    crashed += r.crashes;
  }
  console.log(table(rows));
  if (crashed > 0) {
    console.log(`fuzz: crashes are in fuzz/crashes/<target>/ (npm test replays them); logs in ${join(CACHE, 'logs')}`);
    process.exitCode = 1;
  }
}

await main();
