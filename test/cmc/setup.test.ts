// `cmc setup` end to end against the fake cluster: the four steps, what they leave, running it again.
import assert from 'node:assert/strict';
import { appendFile, open, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MANIFEST_NAME, readManifest } from '../../src/artifacts/manifest.js';
import type { CmcSandbox, World } from './support.js';
import { VERSION, assertNothingLeft, cmcStatus, fixture, profileState, readJson, tree } from './support.js';

const LOGIN = userInfo().username;
const ROLE = 'connect-my-computer-alice';
const OWNER = 'teleport.dev/connect-my-computer/owner';

const archive = (world: World): string => `/${world.release.archiveName}`;

/** What the fake programs recorded (FAKE_TELEPORT_ARGV_LOG): each run's tool and arguments, token files, ps samples. */
async function argvLog(file: string): Promise<string[][]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
}

// Each test has a proxy and a sandbox of its own: they run side by side.
describe('cmc setup', { concurrency: true }, () => {
  test('the join token is on no command line: it travels in a 0600 file named by --token, gone after the join', async (t) => {
    const { sb } = await fixture(t);
    const log = join(sb.root, 'argv.log');
    const r = await sb.cmc(['setup'], { FAKE_TELEPORT_ARGV_LOG: log });
    assert.equal(r.code, 0, r.stderr);
    const runs = await argvLog(log);
    // `tctl tokens rm <token>` must name it (and runs once the node has joined): the one exception.
    const rm = runs.filter((a) => a[0] === 'tctl' && a.includes('tokens') && a.includes('rm'));
    assert.equal(rm.length, 1);
    const token = rm[0]?.at(-1) ?? '';
    assert.match(token, /^[0-9a-f]{32}$/);
    const tokenFile = join(sb.agentDir, 'teleport-tools-join-token');
    assert.ok(runs.some((a) => a[0] === 'teleport' && a.includes('configure') && a.includes(`--token=${tokenFile}`)), 'configure was given the file');
    assert.deepEqual(runs.filter((a) => a[0] === 'token-file'), [['token-file', tokenFile, '600']]);
    const samples = runs.filter((a) => a[0] === 'ps');
    assert.ok(samples.length >= 1 && samples.every((a) => (a[1] ?? '').includes(`--config=${join(sb.agentDir, 'config.yaml')}`)), 'ps sampled while the agent ran');
    const seen = runs.filter((a) => a !== rm[0] && a.join('\n').includes(token));
    assert.deepEqual(seen, [], 'the token is on no other command line, and in no ps line');
    assert.equal(await stat(tokenFile).then(() => true, () => false), false, 'the token file is gone after the join');
    await assertNothingLeft(sb);
  });

  test('runs the four steps: role, agent, config, join; the node is in the cluster and the agent stopped', async (t) => {
    const { world, sb } = await fixture(t);
    const downloads = world.cdn.count(archive(world));
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 0, r.stderr);
    const steps = r.stdout.split('\n').filter((l) => /^\[\d\/4\]/.test(l));
    assert.deepEqual(steps, [
      '[1/4] Setting up the role...',
      '[2/4] Downloading the agent...',
      '[3/4] Generating the config file...',
      '[4/4] Joining the cluster...',
    ]);
    assert.match(r.stdout, /Setup complete/);
    assert.equal(world.cdn.count(archive(world)) - downloads, 1, 'the archive was downloaded once');

    const cluster = await sb.cluster.read();
    const role = cluster.roles[ROLE];
    assert.ok(role, 'the role exists');
    assert.deepEqual(role.spec.allow?.logins, [LOGIN]);
    assert.deepEqual(role.spec.allow?.node_labels, { [OWNER]: ['alice'] });
    assert.deepEqual(cluster.users.alice?.roles, ['access', 'editor', ROLE]);
    assert.deepEqual(cluster.tokens, {}, 'the join token was deleted after the join');
    const nodes = Object.values(cluster.nodes);
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0]?.metadata.labels[OWNER], 'alice');

    // The agent binary: the archive's teleport, verified, in the Connect cache.
    const binaryDir = join(sb.connectCache, 'teleport');
    const manifest = await readManifest(binaryDir);
    assert.equal(manifest?.version, VERSION);
    assert.deepEqual(manifest?.binaries, ['teleport']);
    assert.equal((await stat(join(binaryDir, 'teleport'))).mode & 0o777, 0o755);

    // Private files private.
    assert.equal((await stat(sb.agentDir)).mode & 0o777, 0o700);
    for (const d of ['data', 'logs']) assert.equal((await stat(join(sb.agentDir, d))).mode & 0o777, 0o700, d);
    const config = join(sb.agentDir, 'config.yaml');
    assert.equal((await stat(config)).mode & 0o777, 0o600);
    const text = await readFile(config, 'utf8');
    assert.match(text, /^debug_service:\n {2}enabled: false$/m);
    assert.match(text, new RegExp(`data_dir: ${join(sb.agentDir, 'data')}`));
    assert.match(text, new RegExp(`proxy_server: ${world.proxy}`));
    assert.match(text, new RegExp(`${OWNER}: alice`));

    const uuid = (await readFile(join(sb.agentDir, 'data', 'host_uuid'), 'utf8')).trim();
    assert.equal(nodes[0]?.metadata.name, uuid);
    const state = await profileState(sb);
    assert.equal(state?.setupCompleted, true);
    assert.equal(state?.nodeUuid, uuid);
    assert.notEqual(state?.autoStart, true, 'setup does not turn sharing on');
    await assertNothingLeft(sb);
  });

  test('runs again safely: nothing downloaded again, the role left alone, a fresh token and config, the same node', async (t) => {
    const { world, sb } = await fixture(t);
    const log = join(sb.root, 'argv.log');
    assert.equal((await sb.cmc(['setup'], { FAKE_TELEPORT_ARGV_LOG: log })).code, 0);
    const config = join(sb.agentDir, 'config.yaml');
    const firstConfig = await readFile(config, 'utf8');
    // Held open, so that its inode cannot be freed and handed to the next file written here.
    const first = await open(config, 'r');
    t.after(() => first.close());
    const firstInode = (await first.stat()).ino;
    // An admin edits the role meanwhile: setup must not overwrite it.
    await sb.cluster.update((s) => {
      const allow = s.roles[ROLE]?.spec.allow;
      if (allow) allow.logins = [...(allow.logins ?? []), 'admin-added'];
    });
    const downloads = world.cdn.count(archive(world));
    const r = await sb.cmc(['setup'], { FAKE_TELEPORT_ARGV_LOG: log });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /role connect-my-computer-alice exists; user alice has it/);
    assert.match(r.stdout, /verified teleport v13\.2\.3/);
    assert.equal(world.cdn.count(archive(world)), downloads, 'the agent was not downloaded again');
    const cluster = await sb.cluster.read();
    assert.deepEqual(cluster.roles[ROLE]?.spec.allow?.logins, [LOGIN, 'admin-added']);
    assert.deepEqual(cluster.users.alice?.roles, ['access', 'editor', ROLE], 'the role is not added twice');
    assert.equal(Object.keys(cluster.nodes).length, 1, 'the same node');
    assert.deepEqual(cluster.tokens, {});
    const secondConfig = await readFile(config, 'utf8');
    const token = (text: string) => /token_name: (.+)$/m.exec(text)?.[1];
    const tokenFile = join(sb.agentDir, 'teleport-tools-join-token');
    assert.equal(token(firstConfig), tokenFile, 'the config names the token file');
    assert.equal(token(secondConfig), tokenFile);
    assert.notEqual((await stat(config)).ino, firstInode, 'a new config file');
    const used = (await argvLog(log)).filter((a) => a[0] === 'tctl' && a.includes('rm')).map((a) => a.at(-1));
    assert.equal(used.length, 2);
    assert.notEqual(used[0], used[1], 'a fresh token');
    await assertNothingLeft(sb);
  });

  test('adds the missing login to an existing role (label value as a plain string) and leaves the rest', async (t) => {
    const { sb } = await fixture(t, {
      cluster: (s) => {
        s.roles[ROLE] = {
          kind: 'role',
          version: 'v6',
          metadata: { name: ROLE, description: 'made on another computer' },
          spec: { allow: { logins: ['other-login'], node_labels: { [OWNER]: 'alice' } }, options: { max_session_ttl: '8h' } },
        };
        s.users.alice = { roles: ['access', ROLE] };
      },
    });
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`role ${ROLE} exists; added login ${LOGIN}; user alice has it`));
    const cluster = await sb.cluster.read();
    const role = cluster.roles[ROLE];
    assert.deepEqual(role?.spec.allow?.logins, ['other-login', LOGIN]);
    assert.deepEqual(role?.spec.allow?.node_labels, { [OWNER]: 'alice' });
    assert.deepEqual(role?.spec.options, { max_session_ttl: '8h' });
    assert.equal(role?.metadata.description, 'made on another computer');
    assert.deepEqual(cluster.users.alice?.roles, ['access', ROLE]);
    assert.doesNotMatch(r.stdout, /log in again/, 'no new role, no new login needed');
  });

  test('refuses an SSO user before changing anything', async (t) => {
    const { world, sb } = await fixture(t, { user: 'sam' });
    const downloads = world.cdn.count(archive(world));
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not available for SSO users: sam signs in through github/);
    assert.doesNotMatch(r.stdout, /\[1\/4\]/, 'no step ran');
    const cluster = await sb.cluster.read();
    assert.equal(cluster.roles['connect-my-computer-sam'], undefined);
    assert.deepEqual(cluster.users.sam?.roles, ['access']);
    assert.equal(world.cdn.count(archive(world)), downloads);
    assert.deepEqual(await tree(sb.userData), []);
    await assertNothingLeft(sb);
  });

  test('refuses when not logged in, naming tsh login', async (t) => {
    const { sb } = await fixture(t, { login: false });
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^teleport-tools: not logged in to a Teleport cluster; log in first with: tsh login --proxy=/m);
    assert.deepEqual(await tree(sb.userData), []);
    assert.equal((await sb.cluster.read()).roles[ROLE], undefined);
    await assertNothingLeft(sb);
  });
});

describe('cmc setup after a failed step', { concurrency: true }, () => {
  interface Case {
    step: string;
    inject(sb: CmcSandbox, world: World): Promise<void>;
    heal(sb: CmcSandbox, world: World): Promise<void>;
    message: RegExp;
    /** What the failed run must (not) have left. */
    check(sb: CmcSandbox): Promise<void>;
  }
  const config = (sb: CmcSandbox) => join(sb.agentDir, 'config.yaml');
  const exists = (p: string) => stat(p).then(() => true, () => false);
  const cases: Case[] = [
    {
      step: 'Setting up the role',
      inject: (sb) => sb.cluster.setFaults({ denyRoleCreate: true }),
      heal: (sb) => sb.cluster.setFaults({}),
      message: /^teleport-tools: Setting up the role failed: you lack permission to create roles \(your roles must allow verb "create" on resource "role"; ask a cluster admin\)\. tctl said: access denied to perform action "create" on "role"$/m,
      check: async (sb) => {
        assert.equal((await sb.cluster.read()).roles[ROLE], undefined);
        assert.equal(await exists(join(sb.connectCache, 'teleport')), false, 'nothing downloaded');
        assert.equal(await exists(sb.agentDir), false);
      },
    },
    {
      step: 'Downloading the agent',
      inject: async (_sb, world) => world.cdn.behave(archive(world), { kind: 'body', body: Buffer.alloc(4096, 7) }),
      heal: async (_sb, world) => world.cdn.behave(archive(world), { kind: 'ok' }),
      message: /^teleport-tools: Downloading the agent failed: .*(checksum mismatch|gzip|archive)/m,
      check: async (sb) => {
        assert.ok((await sb.cluster.read()).roles[ROLE], 'step 1 stays done');
        assert.deepEqual(await tree(sb.connectCache), [], 'no partial agent');
        assert.equal(await exists(sb.agentDir), false);
      },
    },
    {
      step: 'Generating the config file',
      inject: (sb) => sb.cluster.setFaults({ denyTokenCreate: true }),
      heal: (sb) => sb.cluster.setFaults({}),
      message: /^teleport-tools: Generating the config file failed: you lack permission to create join tokens \(your roles must allow verb "create" on resource "token"; ask a cluster admin\)/m,
      check: async (sb) => {
        assert.equal(await exists(config(sb)), false);
        assert.ok(await exists(join(sb.connectCache, 'teleport', 'teleport')), 'step 2 stays done');
      },
    },
    {
      step: 'Joining the cluster',
      inject: (sb) => sb.cluster.setFaults({ agentCrashOnStart: true }),
      heal: (sb) => sb.cluster.setFaults({}),
      message: /^teleport-tools: Joining the cluster failed: the agent exited with status 1 before it started; its last lines:\n(.*\n)*.*ERRO \[PROC:1\] Critical service has exited with error: .*injected agentCrashOnStart/m,
      check: async (sb) => {
        assert.deepEqual((await sb.cluster.read()).nodes, {});
        const report = await cmcStatus(sb);
        assert.equal(report.running, false);
        assert.equal(report.setup.completed, false);
        assert.match(report.lastFailure?.message ?? '', /exited with status 1 before it started/);
        assert.ok(report.lastErrors.some((l) => l.includes('injected agentCrashOnStart')), report.lastErrors.join('\n'));
      },
    },
  ];
  for (const c of cases) {
    test(`${c.step}: names the step and the reason, exits 1, and a rerun completes`, async (t) => {
      const { world, sb } = await fixture(t);
      await c.inject(sb, world);
      const r = await sb.cmc(['setup']);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, c.message);
      await c.check(sb);
      await assertNothingLeft(sb);
      await c.heal(sb, world);
      const again = await sb.cmc(['setup']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /Setup complete/);
      const cluster = await sb.cluster.read();
      assert.equal(Object.keys(cluster.nodes).length, 1);
      assert.deepEqual(cluster.users.alice?.roles, ['access', 'editor', ROLE]);
      await assertNothingLeft(sb);
    });
  }
});

describe('the agent binary', { concurrency: true }, () => {
  test('is never downloaded with TELEPORT_TOOLS_VERSION=off: the download step fails and says why', async (t) => {
    const { world, sb } = await fixture(t);
    const downloads = world.cdn.count(archive(world));
    const r = await sb.cmc(['setup'], { TELEPORT_TOOLS_VERSION: 'off' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^teleport-tools: Downloading the agent failed: no agent in .*Teleport Connect\/teleport, and TELEPORT_TOOLS_VERSION=off forbids downloading it$/m);
    assert.equal(world.cdn.count(archive(world)), downloads);
    await assertNothingLeft(sb);
  });

  test('is downloaded again when its bytes or its recorded version no longer match', async (t) => {
    const { world, sb } = await fixture(t);
    assert.equal((await sb.cmc(['setup'])).code, 0);
    const binary = join(sb.connectCache, 'teleport', 'teleport');
    const manifestFile = join(sb.connectCache, 'teleport', MANIFEST_NAME);

    await appendFile(binary, '\n// changed\n');
    let downloads = world.cdn.count(archive(world));
    let r = await sb.cmc(['setup']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /downloaded and verified teleport v13\.2\.3/);
    assert.equal(world.cdn.count(archive(world)) - downloads, 1);
    assert.doesNotMatch(await readFile(binary, 'utf8'), /\n\/\/ changed\n/);

    const manifest = await readJson<Record<string, unknown>>(manifestFile);
    await writeFile(manifestFile, JSON.stringify({ ...manifest, version: '13.2.2' }));
    downloads = world.cdn.count(archive(world));
    r = await sb.cmc(['setup']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(world.cdn.count(archive(world)) - downloads, 1);
    assert.equal((await readManifest(join(sb.connectCache, 'teleport')))?.version, VERSION);
    await assertNothingLeft(sb);
  });
});
