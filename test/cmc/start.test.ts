// `cmc start` in the foreground: the node becomes visible, one run per profile, Ctrl-C and `cmc stop`
// stop it cleanly, and killing `cmc start` (even by SIGKILL) takes the agent down within 2 s.
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CmcSandbox, World } from './support.js';
import { assertNothingLeft, cmcStatus as status, createCmcSandbox, interrupt, isAlive, profileState, setUpSandbox, share, startWorld, waitGone } from './support.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const setUp = (t: { after: (fn: () => Promise<void>) => void }): Promise<CmcSandbox> => setUpSandbox(world, t);
const autoStart = async (sb: CmcSandbox): Promise<boolean | undefined> => (await profileState(sb))?.autoStart;

// Each test has its own sandbox; run them side by side, most of their time is waiting.
describe('cmc start', { concurrency: true }, () => {
  test('shares until Ctrl-C: the node is visible, a second start refuses, Ctrl-C stops the agent and keeps autoStart', async (t) => {
    const sb = await setUp(t);
    const { run, agentPid, uuid } = await share(sb);
    assert.match(run.stdout, new RegExp(`Sharing this computer with cluster fake\\.example\\.com as node ${hostname()} \\(${uuid}\\)\\.`));
    assert.match(run.stdout, new RegExp(`alice can log in to it as ${userInfo().username}: tsh ssh ${userInfo().username}@${hostname()}`));
    const cluster = await sb.cluster.read();
    assert.equal(cluster.nodes[uuid]?.spec.pid, agentPid, 'the node in the cluster is this agent');
    assert.equal(await autoStart(sb), true, 'autoStart is set when the agent starts');

    const second = await sb.cmc(['start']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`already run by teleport-tools cmc start \\(pid ${run.pid}\\); stop it first with: teleport-tools cmc stop`));
    const setup = await sb.cmc(['setup']);
    assert.equal(setup.code, 1);
    assert.match(setup.stderr, /is running \(teleport-tools cmc start/);
    assert.ok(isAlive(agentPid), 'the refused commands left the agent alone');

    const done = await interrupt(run);
    assert.match(done.stdout, /Stopping the agent\.\.\.\nStopped sharing this computer\.\n$/);
    assert.equal(isAlive(agentPid), false, 'the agent has exited when start returns');
    assert.equal(await autoStart(sb), true, 'closing the window keeps autoStart');
    assert.equal((await status(sb)).running, false);
    await assertNothingLeft(sb);
  });

  test('SIGKILL of cmc start: the watchdog stops the agent within 2 s, and the next start works', async (t) => {
    const sb = await setUp(t);
    const { run, agentPid } = await share(sb);
    run.child.kill('SIGKILL');
    await run.exited;
    const ms = await waitGone(agentPid, 2000);
    t.diagnostic(`agent gone ${ms} ms after SIGKILL of cmc start`);
    assert.equal(await autoStart(sb), true);
    await assertNothingLeft(sb, { runRecord: true });

    await interrupt((await share(sb)).run);
    await assertNothingLeft(sb);
  });

  test('cmc stop stops a running start and clears autoStart', async (t) => {
    const sb = await setUp(t);
    const { run, agentPid } = await share(sb);
    const stop = await sb.cmc(['stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, new RegExp(`Stopped sharing this computer with ${sb.profile.replaceAll('.', '\\.')} \\(teleport-tools cmc start, pid ${run.pid}\\)`));
    assert.equal((await run.exited).code, 0);
    assert.equal(isAlive(agentPid), false);
    assert.equal(await autoStart(sb), false);
    const again = await sb.cmc(['stop']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /is not running/);
    await assertNothingLeft(sb);
  });

  test('an agent that dies while sharing: its last lines are shown, exit 1, the failure is in status', async (t) => {
    const sb = await setUp(t);
    const { run, agentPid } = await share(sb);
    process.kill(agentPid, 'SIGKILL');
    const done = await run.exited;
    assert.equal(done.code, 1);
    assert.match(done.stderr, /the agent was killed by SIGKILL; this computer is no longer shared; its last lines:\n(.*\n)*.*Service is starting in tunnel mode/);
    const s = await status(sb);
    assert.equal(s.running, false);
    assert.match(s.lastFailure?.message ?? '', /killed by SIGKILL/);
    assert.ok(s.lastErrors.some((l) => /Service is starting/.test(l)));
    await assertNothingLeft(sb);
  });

  test('an agent that ignores SIGTERM is killed 5 s after Ctrl-C', async (t) => {
    const sb = await setUp(t);
    await sb.cluster.setFaults({ ignoreSigterm: true });
    const { run, agentPid } = await share(sb);
    const started = Date.now();
    run.child.kill('SIGINT');
    const done = await run.exited;
    const ms = Date.now() - started;
    assert.equal(done.code, 0, done.stderr);
    assert.equal(isAlive(agentPid), false);
    assert.ok(ms >= 4900 && ms < 9000, `stopped after ${ms} ms`);
    await assertNothingLeft(sb);
  });

  test('refuses before setup, naming cmc setup', async (t) => {
    const sb = await createCmcSandbox(world);
    t.after(() => sb.remove());
    const r = await sb.cmc(['start']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Connect My Computer is not set up for 127\.0\.0\.1; run: teleport-tools cmc setup/);
    await assertNothingLeft(sb);
  });

  test('a node that never appears fails the join after 15 s, with the agent log lines', async (t) => {
    const sb = await createCmcSandbox(world, { cluster: (s) => void (s.faults = { nodeNeverAppears: true }) });
    t.after(() => sb.remove());
    const started = Date.now();
    const r = await sb.cmc(['setup']);
    const ms = Date.now() - started;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Joining the cluster failed: node [0-9a-f-]{36} did not appear in the cluster within 15 s after the agent started; its last lines:\n(.*\n)*.*Starting Teleport/);
    assert.ok(ms >= 15_000, `${ms} ms`);
    await assertNothingLeft(sb);
  });
});

describe('cmc logs', () => {
  test('prints the agent log, and with --follow the lines of a new run until Ctrl-C', async (t) => {
    const sb = await setUp(t);
    const all = await sb.cmc(['logs']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /Service is starting in tunnel mode/);
    const follow = sb.spawnCmc(['logs', '--follow']);
    await follow.waitFor(/exited with status 0/);
    const { run, agentPid } = await share(sb);
    await follow.waitFor(new RegExp(`started the agent \\(pid ${agentPid}\\)(.*\\n)*.*pid:${agentPid}\\.1`));
    await interrupt(run);
    follow.child.kill('SIGINT');
    assert.equal((await follow.exited).code, 0);
    assert.equal((await stat(join(sb.agentDir, 'logs', 'agent.log'))).mode & 0o777, 0o600);
    await assertNothingLeft(sb);
  });

  test('says where the log will be when there is none yet', async (t) => {
    const sb = await createCmcSandbox(world);
    t.after(() => sb.remove());
    const r = await sb.cmc(['logs']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no agent log yet \(.*agent\.log\)/);
  });
});
