// Teleport Connect beside us: an agent for the profile that teleport-tools did not start (a real
// stand-in process whose arguments name the profile's config.yaml, under a userData path with spaces)
// makes setup, start and remove refuse, shows in status, and is never signalled. The process listing
// of both platforms is tested here too (macOS's `ps` parser through its output format).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PING_PATH } from '../helpers/cdn-server.js';
import { localUser } from '../helpers/local-users.js';
import { findConfigUsers, joinedArgsName, namesConfig, parsePs } from '../../src/cmc/connect-agent.js';
import { Running, assertNothingLeft, cmcStatus, fixture, interrupt, isAlive, profileState, setUpSandbox, standInAgent, startWorld, waitGone } from './support.js';

const CONFIG = '/Users/a b/Library/Application Support/Teleport Connect/agents/teleport.example.com/config.yaml';

describe('finding an agent by its config path', () => {
  test('macOS: ps lines are parsed, and the path counts only as a whole argument', () => {
    const ps = [
      '    1     0 /sbin/launchd',
      `  812   501 /Applications/Teleport Connect.app/Contents/MacOS/tsh.app/Contents/MacOS/teleport start --config=${CONFIG}`,
      `  813   501 /usr/local/bin/teleport start --insecure --config=${CONFIG} --debug`,
      `  814   501 /bin/cat ${CONFIG}`,
      `  815   501 /bin/cat /tmp/copy${CONFIG}`,
      `  816   501 /bin/cat ${CONFIG}.bak`,
      `  817   501 teleport start --config=${CONFIG.replace('/config.yaml', '.old/config.yaml')}`,
      '  818   502 ',
      'garbage line',
      '',
    ].join('\n');
    const list = parsePs(ps);
    assert.deepEqual(list.map((p) => p.pid), [1, 812, 813, 814, 815, 816, 817, 818]);
    assert.deepEqual(list.map((p) => p.uid), [0, 501, 501, 501, 501, 501, 501, 502]);
    assert.deepEqual(list.filter((p) => namesConfig(p, CONFIG)).map((p) => p.pid), [812, 813, 814]);
    assert.equal(joinedArgsName(CONFIG, CONFIG), true);
    assert.equal(joinedArgsName(`x${CONFIG}`, CONFIG), false);
    assert.equal(joinedArgsName(`${CONFIG}x ${CONFIG}`, CONFIG), true, 'a later whole occurrence counts');
  });

  test('Linux: one argument each; entries that vanish or cannot be read are skipped; other OSes find nothing', async (t) => {
    assert.equal(namesConfig({ pid: 1, uid: 0, argv: ['teleport', 'start', `--config=${CONFIG}`] }, CONFIG), true);
    assert.equal(namesConfig({ pid: 1, uid: 0, argv: ['teleport', 'start', '--config', CONFIG] }, CONFIG), true);
    assert.equal(namesConfig({ pid: 1, uid: 0, argv: ['teleport', 'start', `--config=/x${CONFIG}`] }, CONFIG), false);
    assert.equal(namesConfig({ pid: 1, uid: 0, argv: ['sh', '-c', `teleport start --config=${CONFIG}`] }, CONFIG), false);

    // A process table of our own: 20 names the config; 21 has vanished (no cmdline); 22 is a
    // directory where cmdline should be; 23 holds the path inside another one; `self` is no PID.
    const root = await mkdtemp(join(tmpdir(), 'tt-proc-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    const entry = async (name: string, cmdline?: string | 'dir'): Promise<void> => {
      await mkdir(join(root, name), { recursive: true });
      if (cmdline === 'dir') await mkdir(join(root, name, 'cmdline'));
      else if (cmdline !== undefined) await writeFile(join(root, name, 'cmdline'), cmdline);
    };
    await entry('20', `teleport\0start\0--config=${CONFIG}\0`);
    await entry('21');
    await entry('22', 'dir');
    await entry('23', `teleport\0start\0--config=${CONFIG}.bak\0`);
    await entry('self', `teleport\0start\0--config=${CONFIG}\0`);
    assert.deepEqual(await findConfigUsers(CONFIG, [], 'linux', { procRoot: root }), [20]);
    assert.deepEqual(await findConfigUsers(CONFIG, [20], 'linux', { procRoot: root }), [], 'our own agent is excluded');
    const stranger = (process.getuid?.() ?? 0) + 1;
    assert.deepEqual(await findConfigUsers(CONFIG, [], 'linux', { procRoot: root, uid: stranger }), [], "only the user's own processes count");
    assert.deepEqual(await findConfigUsers(CONFIG, [], 'linux', { procRoot: join(root, 'missing') }), [], 'no process table: nothing found');
    assert.deepEqual(await findConfigUsers(CONFIG, [], 'freebsd', { procRoot: root }), []);
  });
});

describe('Teleport Connect running an agent for the profile', { concurrency: true }, () => {
  test('setup, start and remove refuse naming Teleport Connect and the profile; status shows it; the agent is left alone', async (t) => {
    const { sb } = await fixture(t);
    const config = join(sb.agentDir, 'config.yaml');
    assert.match(config, / /, 'the userData path has a space');
    const connect = standInAgent(t, config);
    // Holds the path only inside other paths: not Connect's agent for this profile.
    const lookalike = standInAgent(t, `${config}.bak`);
    await Promise.all([connect.waitFor(/ready/), lookalike.waitFor(/ready/)]);

    const message = new RegExp(`^teleport-tools: Teleport Connect is sharing this computer with ${sb.profile.replace(/\./g, '\\.')} \\(its agent runs as pid ${connect.pid}, with .+\\); teleport-tools starts no second agent`, 'm');
    const setup = await sb.cmc(['setup']);
    assert.equal(setup.code, 1);
    assert.match(setup.stderr, message);
    assert.doesNotMatch(setup.stdout, /\[1\/4\]/, 'no step ran');
    assert.equal((await sb.cluster.read()).roles['connect-my-computer-alice'], undefined);

    const status = await cmcStatus(sb);
    assert.deepEqual(status.sharedByConnect, { pids: [connect.pid] });
    assert.equal(status.running, false);
    const text = await sb.cmc(['status']);
    assert.match(text.stdout, new RegExp(`^Running: {10}shared by Teleport Connect \\(pid ${connect.pid}\\)$`, 'm'));

    const removed = await sb.cmc(['remove']);
    assert.equal(removed.code, 1);
    assert.match(removed.stderr, message);
    assert.ok(isAlive(connect.pid) && isAlive(lookalike.pid), 'never signalled');
  });

  test('start refuses while Connect runs its agent, and goes ahead when that agent exited while start was deciding', async (t) => {
    const world = await startWorld();
    t.after(() => world.close());
    const sb = await setUpSandbox(world, t);
    const connect = standInAgent(t, join(sb.agentDir, 'config.yaml'));
    await connect.waitFor(/ready/);
    const refused = await sb.cmc(['start']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Teleport Connect is sharing this computer with/);
    assert.equal((await profileState(sb))?.autoStart, undefined, 'nothing started');
    assert.ok(isAlive(connect.pid));

    // Start asks the cluster first; while it waits for the answer, Connect's agent exits.
    const gate = world.cdn.gate(PING_PATH);
    const run = sb.spawnCmc(['start']);
    await gate.arrived();
    connect.child.kill('SIGTERM');
    await connect.exited;
    await waitGone(connect.pid, 5000);
    gate.release();
    await run.waitFor(/Press Ctrl-C to stop sharing\./);
    const status = await cmcStatus(sb);
    assert.equal(status.sharedByConnect, null);
    assert.equal(status.runBy?.pid, run.pid);
    await interrupt(run);
    await assertNothingLeft(sb);
  });
});

describe("another user's process naming our agent's config", () => {
  test('is not Teleport Connect: setup, status and remove go ahead, and it is never signalled', async (t) => {
    const mallory = await localUser(t);
    if (typeof mallory === 'string') return t.skip(mallory);
    const { sb } = await fixture(t);
    const config = join(sb.agentDir, 'config.yaml');
    // What any local user can start: a process whose arguments name our agent's config.
    const blocker = new Running(mallory.spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30); console.log("ready")', 'start', `--config=${config}`]));
    t.after(async () => {
      blocker.child.kill('SIGKILL');
      await blocker.exited;
    });
    await blocker.waitFor(/ready/);
    const setup = await sb.cmc(['setup']);
    assert.equal(setup.code, 0, setup.stderr);
    assert.equal((await cmcStatus(sb)).sharedByConnect, null);
    const removed = await sb.cmc(['remove']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(isAlive(blocker.pid), 'never signalled');
  });
});
