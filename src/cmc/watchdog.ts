/**
 * The agent's watchdog, its own small process: `node watchdog.js <agent pid> [<start time>]`, started
 * with an IPC channel by the process that runs the agent. Teleport has no parent-PID flag, so, like
 * Teleport Connect's cleanup helper, this process ties the agent's life to its runner: when the
 * channel closes without a "done" first (the runner died, even by SIGKILL), it stops the agent
 * (SIGTERM, then SIGKILL after 1 s, so the agent is gone within 2 s).
 */
import { isAlive, signal, waitGone } from './pids.js';

const pid = Number(process.argv[2]);
const startTime = process.argv[3] || undefined;
const GRACE_MS = 1000;
let done = false;

async function stopAgent(): Promise<void> {
  if (done) return;
  done = true;
  if (isAlive(pid, startTime)) {
    signal(pid, 'SIGTERM');
    if (!(await waitGone(pid, GRACE_MS, startTime))) signal(pid, 'SIGKILL');
  }
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
