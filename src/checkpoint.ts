/**
 * Named points in an install where a crash test may kill the process. The entry point arms at most
 * one point, from TELEPORT_TOOLS_TEST_CRASH_AT read once at start; unarmed, checkpoint() does nothing.
 */
export const CHECKPOINTS = [
  'lock-taken',
  'archive-streaming',
  /** The first network byte after bytes replayed from a partial download. */
  'archive-resumed',
  'digest-verified',
  'staging-complete',
  'renamed',
  'version-file-written',
  'old-versions-removed',
  'lock-released',
  // Connect My Computer
  'cmc-role',
  'cmc-agent-downloaded',
  'cmc-config-written',
  'cmc-agent-started',
] as const;

export type Checkpoint = (typeof CHECKPOINTS)[number];

let armed: string | undefined;
let alsoKill: number | undefined;

/** `launcher`: the PID of the launcher that started this install child, killed with it (as one launcher). */
export function armCheckpoint(name: string | undefined, launcher?: number): void {
  armed = name || undefined;
  alsoKill = launcher;
}

export function checkpoint(name: Checkpoint): void {
  if (armed !== name) return;
  if (alsoKill !== undefined) process.kill(alsoKill, 'SIGKILL');
  process.kill(process.pid, 'SIGKILL');
}
