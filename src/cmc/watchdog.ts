/**
 * The agent's watchdog, its own small process: `node watchdog.js <agent pid> <proof>`, started with an
 * IPC channel by the process that runs the agent (`<proof>`: the agent's start time and command line
 * as base64url JSON, so that no argument of ours names the agent's config). Teleport has no parent-PID
 * flag, so, like Teleport Connect's cleanup helper, this process ties the agent's life to its runner:
 * when the channel closes without a "done" first (the runner died, even by SIGKILL), it stops the
 * agent (SIGTERM, then SIGKILL after 1 s, so the agent is gone within 2 s), and only while the agent
 * is provably the process it was told about.
 */
import { signalOurs, waitGone } from './pids.js';
import type { ProcessProof } from './pids.js';

const pid = Number(process.argv[2]);
const GRACE_MS = 1000;
let done = false;

function decodeProof(text: string | undefined): ProcessProof | undefined {
  try {
    const p = JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8')) as Partial<ProcessProof> | null;
    return typeof p?.start === 'string' && typeof p.command === 'string' ? { start: p.start, command: p.command } : undefined;
  } catch {
    return undefined;
  }
}

const proof = decodeProof(process.argv[3]);

async function stopAgent(): Promise<void> {
  if (done) return;
  done = true;
  if (signalOurs(pid, proof, 'SIGTERM') && !(await waitGone(pid, GRACE_MS, proof))) signalOurs(pid, proof, 'SIGKILL');
  process.exit(0);
}

process.on('message', (message) => {
  if (message === 'done') {
    done = true;
    process.exit(0);
  }
});
process.on('disconnect', () => void stopAgent());
if (!Number.isInteger(pid) || pid <= 0) process.exit(2);
if (!process.connected) void stopAgent();
else process.send?.('ready');
