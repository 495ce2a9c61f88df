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

export function armCheckpoint(name: string | undefined): void {
  armed = name || undefined;
}

export function checkpoint(name: Checkpoint): void {
  if (armed === name) process.kill(process.pid, 'SIGKILL');
}
