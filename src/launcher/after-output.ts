/**
 * Work the launcher does after its answer (the binary's path) is out and before it exits, such as
 * writing the code cache. The loader (run.cjs) and the launcher bundle (slow-path.cjs) are two bundles
 * with a copy of this module each, so the queue lives on the process under a registered symbol.
 */
const QUEUE = Symbol.for('teleport-tools.afterOutput');

type Task = () => Promise<void>;

function queue(): Task[] {
  const holder = globalThis as typeof globalThis & { [QUEUE]?: Task[] };
  return (holder[QUEUE] ??= []);
}

/** Runs `task` once the launcher has printed its answer; a task must not throw (it is best effort). */
export function afterOutput(task: Task): void {
  queue().push(task);
}

/** Runs the queued tasks one after another and empties the queue. */
export async function runAfterOutput(): Promise<void> {
  const tasks = queue().splice(0);
  for (const task of tasks) await task().catch(() => undefined);
}
