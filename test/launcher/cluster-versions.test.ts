// Cluster-managed versions (CONTRACT items 11-14) end to end through the real shims: two proxies at
// once under different host names, both on loopback with the test CA. `127.0.0.1` counts as Teleport
// Cloud here (cloud_proxy_suffixes: [".0.0.1"]) and also serves the version endpoint and the CDN;
// `localhost` is a self-hosted cluster. A third proxy presents a certificate nobody trusts (--insecure).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { FIND_PATH, VERSION_PATH, startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { buildRelease, currentPlatform } from '../helpers/release.js';
import { createSandbox } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';
import { release } from './world.js';

const STABLE = '16.4.0';
const SELF = '17.0.1';
const CLOUD = '18.0.1';

let cloud: CdnServer; // 127.0.0.1: Cloud proxy, version endpoint, CDN
let self: CdnServer; // localhost: self-hosted proxy
let untrusted: CdnServer; // localhost, certificate of an unknown CA
let cloudProxy: string;
let selfProxy: string;
let untrustedProxy: string;
let entArchive: string;
const boxes: Sandbox[] = [];

const port = (s: CdnServer): string => new URL(s.url).port;
const managed = (version: unknown, extra: Record<string, unknown> = {}) => ({
  server_version: typeof version === 'string' ? version : '17.0.1',
  min_client_version: '16.0.0-aa',
  cluster_name: 'acme',
  edition: 'oss',
  fips: false,
  proxy: {},
  auth: {},
  auto_update: { tools_version: version, tools_auto_update: true, agent_version: '17.0.1', agent_auto_update: false },
  ...extra,
});

before(async () => {
  [cloud, self, untrusted] = await Promise.all([startCdn({ version: `v${STABLE}` }), startCdn(), startCdn({ cert: 'other' })]);
  for (const v of [STABLE, SELF, CLOUD]) cloud.serveRelease(await release(v));
  const dir = await mkdtemp(join(tmpdir(), 'tt-ent-'));
  const ent = await buildRelease({ dir, version: SELF, edition: 'ent', ...currentPlatform() });
  cloud.serveRelease(ent);
  entArchive = `/${ent.archiveName}`;
  cloudProxy = `127.0.0.1:${port(cloud)}`;
  selfProxy = `localhost:${port(self)}`;
  untrustedProxy = `localhost:${port(untrusted)}`;
});
after(async () => {
  await Promise.all([cloud.close(), self.close(), untrusted.close(), ...boxes.map((b) => b.remove())]);
});
beforeEach(() => {
  for (const s of [cloud, self, untrusted]) {
    s.requests.length = 0;
    s.behave(FIND_PATH, { kind: 'ok' });
    s.unserve(FIND_PATH);
  }
  cloud.setVersion(`v${STABLE}`);
});

/** A user of the current release: STABLE installed and recorded in cloud-stable-version, nothing else. */
async function user(config = ''): Promise<Sandbox> {
  const sb = await createSandbox({ versionUrl: cloud.versionUrl, cdnBaseUrl: cloud.url });
  boxes.push(sb);
  await mkdir(join(sb.teleportHome, 'config'), { recursive: true });
  await writeFile(join(sb.teleportHome, 'config', 'tools.yaml'), `cloud_proxy_suffixes: [".0.0.1"]\n${config}`);
  const r = await sb.cli(['update', '--version', STABLE]);
  assert.equal(r.code, 0, r.stderr);
  return sb;
}

const record = (sb: Sandbox, profile: string) => readFile(join(sb.teleportHome, 'cluster-versions', profile), 'utf8').catch(() => undefined);
const stable = (sb: Sandbox) => readFile(join(sb.teleportHome, 'cloud-stable-version'), 'utf8');
/**
 * The launchers' own lines on stderr, the download progress aside (the fake tsh's login, with no
 * cluster behind it, adds an ERROR line of its own).
 */
const ours = (r: RunResult) => r.stderr.split('\n').filter((l) => l && !l.startsWith('ERROR:') && !/^Download(ing|ed) /.test(l));
async function runs(sb: Sandbox, tool: 'tsh' | 'tctl', args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await sb.tool(tool, [...args, 'version'], env);
  assert.equal(r.code, 0, r.stderr);
  return /Teleport v(\S+)/.exec(r.stdout)?.[1] ?? r.stdout;
}

describe('cluster-managed versions', () => {
  test('an upgrade from a home with only cloud-stable-version; a self-hosted cluster with managed updates; tsh and tctl pick by profile', async () => {
    const sb = await user();
    assert.equal(await runs(sb, 'tsh', [`--proxy=${selfProxy}`]), STABLE);
    self.setFind(managed(SELF));
    const r = await sb.tool('tsh', ['login', `--proxy=${selfProxy}`, '--user=alice']);
    assert.deepEqual(ours(r), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(r.stdout, '');
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
    assert.equal(await stable(sb), `${STABLE}\n`, 'a self-hosted cluster leaves cloud-stable-version alone');
    assert.deepEqual(self.requests.map((q) => q.path), [FIND_PATH]);
    assert.equal(cloud.count(VERSION_PATH), 0, 'no version_url request for a self-hosted proxy');

    // Selection, on the fast path: --proxy, TELEPORT_PROXY, current-profile; tctl too (profile.test.ts has
    // the whole table, `--proxy h:p` included; the fake tsh itself only parses `--flag=value`).
    assert.equal(await runs(sb, 'tsh', [`--proxy=${selfProxy}`]), SELF);
    assert.equal(await runs(sb, 'tsh', []), STABLE);
    assert.equal(await runs(sb, 'tctl', [], { TELEPORT_PROXY: selfProxy }), SELF);
    await writeFile(join(sb.teleportHome, 'current-profile'), 'localhost\n');
    await writeFile(join(sb.teleportHome, 'localhost.yaml'), `web_proxy_addr: ${selfProxy}\nusername: alice\n`);
    assert.equal(await runs(sb, 'tctl', []), SELF);

    // Logging in again (to the current profile's web_proxy_addr): one request, nothing said.
    const again = await sb.tool('tsh', ['login']);
    assert.deepEqual(ours(again), []);
    assert.equal(self.count(FIND_PATH), 2);
  });

  test('two clusters at once: the Cloud cluster is asked first and its answer wins, version_url is never asked; then managed updates off, follow_cluster_version, a compatibility warning', async () => {
    const sb = await user();
    self.setFind(managed(SELF));
    cloud.setFind(managed(CLOUD, { server_version: CLOUD, edition: 'oss' }));
    const r = await sb.tool('tsh', ['login', `--proxy=${cloudProxy}`]);
    assert.deepEqual(ours(r), [`New client tools version for 127.0.0.1 detected: v${CLOUD}`, `Updated tsh/tctl to version v${CLOUD}!`]);
    assert.equal(cloud.count(FIND_PATH), 1);
    assert.equal(cloud.count(VERSION_PATH), 0, 'one request: the cluster named a version');
    assert.equal(await record(sb, '127.0.0.1'), `${CLOUD}\n`);
    assert.equal(await stable(sb), `${CLOUD}\n`, 'for a Cloud proxy the version adopted is also cloud-stable');
    await sb.tool('tsh', ['login', `--proxy=${selfProxy}`]);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${cloudProxy}`]), CLOUD);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${selfProxy}`]), SELF);
    assert.deepEqual((await sb.cacheEntries()).filter((e) => !e.startsWith('.')), [STABLE, SELF, CLOUD].sort());

    // The self-hosted cluster turns managed updates off: its record goes, cloud-stable applies.
    self.setFind(managed(SELF, { server_version: CLOUD, auto_update: { tools_version: SELF, tools_auto_update: false } }));
    const off = await sb.tool('tsh', ['login', `--proxy=${selfProxy}`]);
    assert.deepEqual(ours(off), []);
    assert.equal(await record(sb, 'localhost'), undefined);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${selfProxy}`]), CLOUD);

    // A cluster older than v17 (no auto_update), 16.0.0-aa: v18 runs for it, two majors ahead: one warning.
    self.setFind({ server_version: '16.0.0-aa', min_client_version: '15.0.0', edition: 'oss', proxy: {}, auth: {} });
    const old = await sb.tool('tsh', ['login', `--proxy=${selfProxy}`]);
    assert.equal(ours(old).length, 1, old.stderr);
    assert.match(old.stderr, /^teleport-tools: warning: tsh v18\.0\.1 is 2 major versions ahead of the cluster localhost \(Teleport v16\.0\.0-aa\).*TELEPORT_TOOLS_VERSION=16\.0\.0/m);

    // follow_cluster_version: the cluster's own server_version is recorded.
    await writeFile(join(sb.teleportHome, 'config', 'tools.yaml'), 'cloud_proxy_suffixes: [".0.0.1"]\nfollow_cluster_version: true\n');
    self.setFind({ server_version: SELF, edition: 'oss', proxy: {}, auth: {} });
    const follow = await sb.tool('tsh', ['login', `--proxy=${selfProxy}`]);
    assert.deepEqual(ours(follow), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
  });

  test('a find answer that cannot be used: no record written or changed, no warning for a self-hosted proxy, the login runs', async () => {
    const sb = await user();
    await mkdir(join(sb.teleportHome, 'cluster-versions'));
    await writeFile(join(sb.teleportHome, 'cluster-versions', 'localhost'), `${STABLE}\n`);
    const cases: [string, () => void][] = [
      ['404 (a cluster older than v17)', () => self.unserve(FIND_PATH)],
      ['not JSON', () => self.behave(FIND_PATH, { kind: 'body', body: '<html>maintenance</html>' })],
      ['over 64 KiB', () => self.behave(FIND_PATH, { kind: 'body', body: JSON.stringify({ ...managed(SELF), pad: 'x'.repeat(70_000) }) })],
      ['redirect to http', () => self.behave(FIND_PATH, { kind: 'redirect', location: `http://127.0.0.1:${port(self)}${FIND_PATH}` })],
      ['hang', () => self.behave(FIND_PATH, { kind: 'hang' })],
      ...['../../x', '17.0.1; rm -rf', '', '1'.repeat(1024), 17].map((v): [string, () => void] => [`tools_version ${JSON.stringify(v).slice(0, 20)}`, () => self.setFind(managed(v))]),
    ];
    for (const [name, arrange] of cases) {
      self.behave(FIND_PATH, { kind: 'ok' });
      self.setFind(managed(SELF));
      arrange();
      const r = await sb.tool('tsh', ['login', `--proxy=${selfProxy}`], { TELEPORT_TOOLS_HTTP_TIMEOUT: '1' });
      assert.deepEqual(ours(r), [], name);
      assert.match(r.stderr, /^ERROR: FAKE_TELEPORT_CLUSTER is not set/m, `${name}: tsh login ran`);
      assert.equal(await record(sb, 'localhost'), `${STABLE}\n`, name);
    }
    assert.deepEqual((await sb.cacheEntries()).filter((e) => !e.startsWith('.')), [STABLE]);
  });

  test('a Cloud proxy whose find fails falls back to version_url; a bad answer and a failed version_url make one warning', async () => {
    const sb = await user();
    cloud.setVersion(`v${SELF}`);
    const r = await sb.tool('tsh', ['login', `--proxy=${cloudProxy}`]);
    assert.deepEqual(ours(r), [`New cloud-stable version of Teleport detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await stable(sb), `${SELF}\n`);
    assert.equal(await record(sb, '127.0.0.1'), undefined);

    cloud.setFind(managed('../../x'));
    cloud.setVersion(undefined);
    const bad = await sb.tool('tsh', ['login', `--proxy=${cloudProxy}`]);
    assert.equal(ours(bad).length, 1, bad.stderr);
    assert.match(bad.stderr, /^teleport-tools: warning: could not update tsh\/tctl: .*HTTP 404.*; using the installed version$/m);
    assert.equal(await stable(sb), `${SELF}\n`);

    // The cluster answers: a failed version_url is then no one's business.
    cloud.setFind(managed(STABLE));
    const wins = await sb.tool('tsh', ['login', `--proxy=${cloudProxy}`]);
    assert.deepEqual(ours(wins), [`New client tools version for 127.0.0.1 detected: v${STABLE}`, `Updated tsh/tctl to version v${STABLE}!`]);
    assert.equal(await stable(sb), `${STABLE}\n`);
  });

  test('a frozen cloud channel never moves a Cloud user back: more than one major behind the cluster is not adopted, with one warning; the guard uses the record when find fails', async () => {
    const sb = await user();
    assert.equal((await sb.cli(['update', '--version', CLOUD])).code, 0);
    const unmanaged = { server_version: CLOUD, min_client_version: '17.0.0', cluster_name: 'acme', edition: 'oss', proxy: {}, auth: {} };
    cloud.setFind(unmanaged);
    cloud.setVersion('v14.4.1');
    cloud.requests.length = 0;
    const frozen = await sb.tool('tsh', ['login', `--proxy=${cloudProxy}`]);
    assert.deepEqual(ours(frozen).length, 1, frozen.stderr);
    assert.match(frozen.stderr, /^teleport-tools: warning: not adopting v14\.4\.1 from version_url: it is 4 major versions behind the cluster 127\.0\.0\.1 \(Teleport v18\.0\.1\); keeping the installed version/m);
    assert.match(frozen.stderr, /^ERROR: FAKE_TELEPORT_CLUSTER is not set/m, 'tsh login ran');
    assert.deepEqual(cloud.requests.map((q) => q.path), [FIND_PATH, VERSION_PATH], 'the cluster first');
    assert.equal(await stable(sb), `${CLOUD}\n`);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${cloudProxy}`]), CLOUD, 'the login runs with the cluster\'s version');

    // One major behind is within what the cluster supports: adopted as before.
    cloud.setVersion(`v${SELF}`);
    const near = await sb.tool('tsh', ['login', `--proxy=${cloudProxy}`]);
    assert.deepEqual(ours(near), [`New cloud-stable version of Teleport detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await stable(sb), `${SELF}\n`);

    // The cluster does not answer (a hang past the time limit): its record is the last thing known of it.
    await mkdir(join(sb.teleportHome, 'cluster-versions'));
    await writeFile(join(sb.teleportHome, 'cluster-versions', '127.0.0.1'), `${CLOUD}\n`);
    cloud.behave(FIND_PATH, { kind: 'hang' });
    cloud.setVersion('v14.4.1');
    const silent = await sb.tool('tsh', ['login', `--proxy=${cloudProxy}`], { TELEPORT_TOOLS_HTTP_TIMEOUT: '1' });
    assert.deepEqual(ours(silent).length, 1, silent.stderr);
    assert.match(silent.stderr, /^teleport-tools: warning: not adopting v14\.4\.1 from version_url: it is 4 major versions behind the cluster 127\.0\.0\.1 \(Teleport v18\.0\.1\)/m);
    assert.equal(await stable(sb), `${SELF}\n`);
    assert.equal(await record(sb, '127.0.0.1'), `${CLOUD}\n`, 'the record stays');
    assert.equal(cloud.requests.filter((q) => q.path.includes('14.4.1')).length, 0, 'nothing of v14.4.1 downloaded');
  });

  test('--insecure skips certificate checks for the find request alone; edition auto follows the cluster, and ent serves oss', async () => {
    const sb = await user();
    untrusted.setFind(managed(SELF, { edition: 'ent' }));
    const strict = await sb.tool('tsh', ['login', `--proxy=${untrustedProxy}`]);
    assert.deepEqual(ours(strict), []);
    assert.equal(await record(sb, 'localhost'), undefined);
    assert.equal(untrusted.count(FIND_PATH), 0, 'the TLS handshake failed');

    const r = await sb.tool('tsh', ['--insecure', 'login', `--proxy=${untrustedProxy}`]);
    assert.deepEqual(ours(r), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
    assert.equal(cloud.count(entArchive), 1, 'the enterprise archive');
    const manifest = JSON.parse(await readFile(join(sb.cacheDir, SELF, '.teleport-tools.json'), 'utf8')) as { edition: string };
    assert.equal(manifest.edition, 'ent');

    // An oss cluster asking for the same version: the ent build serves it and stays.
    self.setFind(managed(SELF, { edition: 'community' }));
    const oss = await sb.tool('tsh', ['login', `--proxy=${selfProxy}`]);
    assert.deepEqual(ours(oss), []);
    assert.equal(cloud.requests.filter((q) => q.path.includes(SELF)).length, 2, 'nothing downloaded again');
  });

  test('a record that is empty, garbage, a symlink or names a version not installed: one warning and a repair', async () => {
    const sb = await user();
    const dir = join(sb.teleportHome, 'cluster-versions');
    const file = join(dir, 'localhost');
    await mkdir(dir);
    for (const [name, make] of [
      ['empty', () => writeFile(file, '')],
      ['garbage', () => writeFile(file, 'latest\n')],
      ['a symlink', () => writeFile(join(sb.teleportHome, 'elsewhere'), `${SELF}\n`).then(() => symlink(join(sb.teleportHome, 'elsewhere'), file))],
    ] as const) {
      await make();
      const r = await sb.tool('tsh', [`--proxy=${selfProxy}`, 'version']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`v${STABLE}`), name);
      assert.equal(ours(r).length, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^teleport-tools: warning: removed ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: it `, 'm'), name);
      assert.equal(await record(sb, 'localhost'), undefined, name);
      await rm(file, { force: true });
    }
    await writeFile(file, `${SELF}\n`);
    const r = await sb.tool('tsh', [`--proxy=${selfProxy}`, 'version']);
    assert.match(r.stdout, new RegExp(`v${SELF}`), r.stderr);
    assert.equal(await stable(sb), `${STABLE}\n`, 'installing a recorded version leaves cloud-stable-version alone');
  });

  test('the CLI: update --proxy, status, clean keeps every recorded version, doctor lists the records', async () => {
    const sb = await user();
    self.setFind(managed(SELF));
    const u = await sb.cli(['update', '--proxy', selfProxy]);
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual(ours(u), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
    const again = await sb.cli(['update', '--proxy', selfProxy]);
    assert.deepEqual(ours(again), [`tsh/tctl are up to date for localhost (v${SELF}).`]);
    assert.equal((await sb.cli(['update', '--proxy', '../x'])).code, 2);
    const down = await sb.cli(['update', '--proxy', `localhost:${port(untrusted)}`]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^teleport-tools: no usable answer from https:\/\/localhost:\d+\/webapi\/find: .*add --insecure\)$/m);

    // cloud-stable moves on: clean removes the old one, keeps the cluster's.
    assert.equal((await sb.cli(['update', '--version', CLOUD])).code, 0);
    const clean = await sb.cli(['clean']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, new RegExp(`^Removed v${STABLE.replaceAll('.', '\\.')}\\.$`, 'm'));
    assert.deepEqual((await sb.cacheEntries()).filter((e) => !e.startsWith('.')), [SELF, CLOUD].sort());

    await writeFile(join(sb.teleportHome, 'cluster-versions', 'other.example.com'), `${STABLE}\n`);
    const status = JSON.parse((await sb.cli(['status', '--json'], { TELEPORT_PROXY: selfProxy })).stdout) as Record<string, unknown>;
    assert.deepEqual(status.clusters, [
      { profile: 'localhost', version: SELF, installed: true },
      { profile: 'other.example.com', version: STABLE, installed: false },
    ]);
    assert.equal(status.selectedVersion, SELF);
    assert.equal(status.selectedFrom, 'cluster-versions');
    assert.equal(status.profile, 'localhost');
    const text = await sb.cli(['status']);
    assert.match(text.stdout, new RegExp(`^  other\\.example\\.com: v${STABLE.replaceAll('.', '\\.')} \\(not installed\\)$`, 'm'));

    const doctor = await sb.cli(['doctor', '--json']);
    assert.equal(doctor.code, 1);
    const check = (JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string; fix: string | null }[] }).checks.find((c) => c.name === 'cluster-versions');
    assert.equal(check?.ok, false);
    assert.match(check?.detail ?? '', new RegExp(`other\\.example\\.com asks for v${STABLE.replaceAll('.', '\\.')}`));
    assert.equal(check?.fix, 'teleport-tools update --proxy other.example.com');
  });
});
