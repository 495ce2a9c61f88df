// What a benchmark section gives the runner (scripts/bench.ts): rows of one shared table.

export interface BenchRow {
  /** What was measured, e.g. `install, 200 MB archive`. */
  name: string;
  /** Our figure, with its unit. */
  ours: string;
  /** The reference figure (another tool, or `-`). */
  baseline: string;
  /** ours / baseline, or `-`. */
  ratio: string;
  /** The goal, e.g. `ratio <= 1.2`, followed by `(met)` or `(MISSED)`. */
  target: string;
  note: string;
}

export interface BenchContext {
  /** BENCH_QUICK=1: smaller inputs, one run each; a smoke test, not a measurement. */
  quick: boolean;
  /** Progress on stderr (the table goes to stdout). */
  log(line: string): void;
}

export interface BenchSection {
  title: string;
  /** How the rows are measured, for docs/benchmarks.md. */
  method: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** `<= 1.2 (met)` / `(MISSED)`. */
export function targetCell(goal: string, met: boolean): string {
  return `${goal} (${met ? 'met' : 'MISSED'})`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
