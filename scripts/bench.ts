// `npm run bench` (build, then `node dist/scripts/bench.js`): runs the sections in scripts/bench/, prints
// one table on stdout and writes it, with the machine it ran on, to docs/benchmarks.md. Not a test: the
// figures depend on the machine. BENCH_QUICK=1 shrinks the inputs for a smoke run. BENCH_ONLY=<section>
// (e.g. BENCH_ONLY=launcher) runs the sections whose title starts with that word, prints their rows and
// leaves docs/benchmarks.md alone: the file always holds a whole run.
import { readFile, writeFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { concurrencyBench } from './bench/concurrency.js';
import { installBench } from './bench/install.js';
import { launcherBench } from './bench/launcher.js';
import { resumeBench } from './bench/resume.js';
import { windowsBench } from './bench/windows.js';
import type { BenchContext, BenchRow, BenchSection } from './bench/types.js';

/** Add a section here; each is one module in scripts/bench/. */
const SECTIONS: readonly BenchSection[] = [launcherBench, installBench, concurrencyBench, resumeBench, windowsBench];

const COLUMNS: readonly (keyof BenchRow)[] = ['name', 'ours', 'baseline', 'ratio', 'target', 'note'];

function table(rows: readonly BenchRow[]): string {
  const cells = [COLUMNS.map(String), ...rows.map((r) => COLUMNS.map((c) => r[c].replaceAll('|', '\\|')))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => (row[i] as string).length)));
  const line = (row: string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(cells[0] as string[]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

async function machine(): Promise<string> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1];
  return [
    `CPU: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${availableParallelism()} cores`,
    `RAM: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `Node.js ${process.version}`,
    `OS: ${distro ? `${distro}, ` : ''}${type()} ${release()} ${arch()}`,
  ].join('; ');
}

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const ctx: BenchContext = { quick, log: (line) => process.stderr.write(`bench: ${line}\n`) };
  const only = process.env.BENCH_ONLY?.trim().toLowerCase();
  const sections = only ? SECTIONS.filter((s) => s.title.toLowerCase().startsWith(only)) : SECTIONS;
  if (sections.length === 0) throw new Error(`BENCH_ONLY=${only}: no such section (${SECTIONS.map((s) => s.title.toLowerCase()).join(', ')})`);
  const rows: BenchRow[] = [];
  for (const section of sections) {
    ctx.log(`${section.title}...`);
    rows.push(...(await section.run(ctx)));
  }
  const text = table(rows);
  process.stdout.write(`${text}\n`);
  if (only) return;

  const command = quick ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench';
  const doc = [
    '# Benchmarks',
    '',
    `Written by \`${command}\` on ${new Date().toISOString().slice(0, 10)}${quick ? ' (quick smoke run: small inputs, one run each; not a measurement)' : ''}.`,
    `Reproduce with \`npm run bench\` (\`BENCH_QUICK=1 npm run bench\` for a smoke run).`,
    '',
    `Machine: ${await machine()}.`,
    '',
    text,
    '',
    ...SECTIONS.flatMap((s) => [`## ${s.title}`, '', s.method, '']),
  ].join('\n');
  const out = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
  await writeFile(out, doc);
  ctx.log(`wrote ${out}`);
}

await main();
