/** The numbers of one libFuzzer run, read from what it printed. */
export interface RunStats {
  executions: number;
  execPerSec: number;
  /** Coverage edges (libFuzzer's `cov:`). */
  edges: number;
  /** Inputs in the corpus at the end (`corp:`). */
  corpus: number;
}

function last(text: string, re: RegExp): number | undefined {
  let value: number | undefined;
  for (const m of text.matchAll(re)) value = Number(m[1]);
  return value;
}

export function parseLibFuzzerLog(log: string, seconds: number): RunStats {
  const executions = last(log, /stat::number_of_executed_units:\s*(\d+)/g) ?? last(log, /Done (\d+) runs/g) ?? last(log, /^#(\d+)\s/gm) ?? 0;
  const execPerSec = last(log, /stat::average_exec_per_sec:\s*(\d+)/g) ?? (seconds > 0 ? Math.round(executions / seconds) : 0);
  return { executions, execPerSec, edges: last(log, /\bcov: (\d+)/g) ?? 0, corpus: last(log, /\bcorp: (\d+)\//g) ?? 0 };
}
