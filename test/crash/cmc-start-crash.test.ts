// `cmc start` SIGKILLed right after it started the agent (TELEPORT_TOOLS_TEST_CRASH_AT=cmc-agent-started),
// before the node joined: the agent is gone within 2 s (its watchdog), nothing half-done is left but the
// run record the next run takes over, and the next `cmc start` shares the computer. `cmc setup` killed at
// each of its steps: test/cmc/crash.test.ts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { World } from '../cmc/support.js';
import { assertNothingLeft, cmcStatus, interrupt, setUpSandbox, share, startWorld, waitGone } from '../cmc/support.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

describe('cmc start killed at the agent start', () => {
  test('the agent goes with it, and the next start shares', async (t) => {
    const sb = await setUpSandbox(world, t);
    const killed = await sb.cmc(['start'], { TELEPORT_TOOLS_TEST_CRASH_AT: 'cmc-agent-started' });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const record = JSON.parse(await readFile(join(sb.agentDir, 'teleport-tools-run.json'), 'utf8')) as { command: string; agentPid: number };
    assert.equal(record.command, 'start');
    const ms = await waitGone(record.agentPid, 2000);
    t.diagnostic(`the killed start's agent was gone after ${ms} ms`);
    await assertNothingLeft(sb, { runRecord: true });
    const status = await cmcStatus(sb);
    assert.equal(status.running, false, 'a dead run is not reported as running');
    assert.equal(status.setup.completed, true, 'setup is still complete');

    const { run } = await share(sb);
    await interrupt(run);
    await assertNothingLeft(sb);
  });
});
