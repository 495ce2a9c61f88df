// `teleport-tools doctor [--json]` against the things users get wrong, each set up for real: another tsh
// earlier on PATH, a launcher without its executable bit, an old Node.js, a cache others can write, a
// broken tools.yaml, a proxy that is down or wants credentials, a private CA, a skewed clock.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VERSION_PATH, startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { SHIMS, SYSTEM_PATH, createSandbox } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';
import { tlsPaths } from '../helpers/tls.js';
import { releaseCdnForFile } from '../helpers/file-cdn.js';

const VERSION = '16.4.7';
const NAMES = ['tsh', 'tctl', 'fast-path', 'node', 'cache', 'cluster-versions', 'config', 'proxy', 'ca-certs', 'version-endpoint', 'cdn', 'clock', 'disk-space'];

interface JsonCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

const file = releaseCdnForFile('tt-doctor-', VERSION);

async function sandbox(server: CdnServer = file.cdn): Promise<Sandbox> {
  const box = await createSandbox({ versionUrl: server.versionUrl, cdnBaseUrl: server.url });
  file.cleanups.push(() => box.remove());
  return box;
}

/** Runs `doctor --json`, checks the document's shape, returns the checks by name. */
async function doctorJson(box: Sandbox, extra: Record<string, string | undefined> = {}): Promise<{ r: RunResult; ok: boolean; by: Record<string, JsonCheck> }> {
  const r = await box.cli(['doctor', '--json'], extra);
  let doc: { ok: boolean; checks: JsonCheck[] };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    assert.fail(`doctor --json printed no JSON document (exit ${r.code}): ${r.stdout}${r.stderr}`);
  }
  assert.deepEqual(doc.checks.map((c) => c.name), NAMES);
  for (const c of doc.checks) {
    assert.equal(typeof c.detail, 'string');
    assert.equal(c.fix === null, c.ok, `${c.name}: a fix exactly when it fails`);
  }
  assert.equal(doc.ok, doc.checks.every((c) => c.ok));
  assert.equal(r.code, doc.ok ? 0 : 1, r.stderr);
  return { r, ok: doc.ok, by: Object.fromEntries(doc.checks.map((c) => [c.name, c])) };
}

function failing(by: Record<string, JsonCheck>): string[] {
  return Object.values(by).filter((c) => !c.ok).map((c) => c.name);
}

describe('doctor on a healthy installation', () => {
  it('prints one ok line per check and exits 0', async () => {
    const box = await sandbox();
    const install = await box.tool('tsh', ['version']);
    assert.equal(install.code, 0, install.stderr);
    const r = await box.cli(['doctor']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split(/\s+/).slice(0, 2)), NAMES.map((n) => ['ok', n]));
    assert.match(r.stdout, new RegExp(`tsh +${box.bin}/tsh is the teleport-tools launcher \\(-> ${SHIMS}/tsh\\)`));
    assert.match(r.stdout, /cache +\S+: private and writable; 1 installed \(v16\.4\.7\)/);
    assert.match(r.stdout, new RegExp(`version-endpoint +${file.cdn.versionUrl} answered v16\\.4\\.7, directly$`, 'm'));
    assert.match(r.stdout, new RegExp(`cdn +${file.cdn.url}/ has ${file.release.archiveName.replaceAll('.', '\\.')}, directly$`, 'm'));
    assert.match(r.stdout, /clock +within 1 s of 127\.0\.0\.1:\d+ \(its Date header\)/);
  });

  it('--json prints a single JSON document on stdout', async () => {
    const box = await sandbox();
    const { r, ok, by } = await doctorJson(box);
    assert.equal(ok, true, JSON.stringify(by, null, 2));
    assert.equal(r.stderr, '');
    assert.equal(by.cache?.detail.endsWith('nothing installed yet'), true);
  });

  it('makes no request at all when automatic updates are off', async () => {
    const box = await sandbox();
    const mark = file.cdn.requests.length;
    const { ok, by } = await doctorJson(box, { TELEPORT_TOOLS_VERSION: 'off' });
    assert.equal(ok, true);
    assert.equal(file.cdn.requests.length, mark);
    for (const name of ['version-endpoint', 'cdn', 'clock']) assert.match(by[name]?.detail ?? '', /^skipped: automatic updates are off \(TELEPORT_TOOLS_VERSION=off\)/);
  });
});

describe('doctor checks the free disk space the way the launchers do', () => {
  it('too little for the selected version\'s archive: names the directory, the space needed and the space free', async () => {
    const box = await sandbox();
    const install = await box.tool('tsh', ['version']);
    assert.equal(install.code, 0, install.stderr);
    const healthy = await doctorJson(box);
    assert.match(healthy.by['disk-space']?.detail ?? '', new RegExp(`^\\d+\\.\\d [KMGT]iB free in ${box.cacheDir}; installing ${file.release.archiveName.replaceAll('.', '\\.')} needs \\d+\\.\\d KiB$`));
    const { by } = await doctorJson(box, { TELEPORT_TOOLS_TEST_FREE_BYTES: '1000' });
    assert.deepEqual(failing(by), ['disk-space']);
    assert.match(by['disk-space']?.detail ?? '', new RegExp(`^not enough disk space in ${box.cacheDir}: installing ${file.release.archiveName.replaceAll('.', '\\.')} needs \\d+\\.\\d KiB, 1000 bytes free$`));
    assert.match(by['disk-space']?.fix ?? '', /^free up .* or set TELEPORT_HOME to a directory on a larger one$/);
  });
});

describe('doctor finds the launcher problems', () => {
  it('another tsh earlier on PATH: names it and the directory to put first', async () => {
    const box = await sandbox();
    const shadow = join(box.root, 'usr-local-bin');
    await mkdir(shadow);
    await writeFile(join(shadow, 'tsh'), '#!/bin/sh\necho "Teleport v12.0.0"\n', { mode: 0o755 });
    const { by } = await doctorJson(box, { PATH: `${shadow}:${box.bin}:${SYSTEM_PATH}` });
    assert.deepEqual(failing(by), ['tsh']);
    assert.equal(by.tsh?.detail, `${shadow}/tsh comes first on PATH and is not the teleport-tools launcher`);
    assert.match(by.tsh?.fix ?? '', new RegExp(`^put ${box.bin} before ${shadow} in PATH, or remove ${shadow}/tsh`));
  });

  it('a non-executable file of the same name is skipped, as the shell does', async () => {
    const box = await sandbox();
    const junk = join(box.root, 'junk');
    await mkdir(junk);
    await writeFile(join(junk, 'tctl'), 'not a program\n', { mode: 0o644 });
    const { ok } = await doctorJson(box, { PATH: `${junk}:${box.bin}:${SYSTEM_PATH}` });
    assert.equal(ok, true);
  });

  it('a launcher without its executable bit', async () => {
    const box = await sandbox();
    const bin = join(box.root, 'copied-bin');
    await mkdir(bin);
    await copyFile(join(SHIMS, 'tsh'), join(bin, 'tsh'));
    await chmod(join(bin, 'tsh'), 0o644);
    const { by } = await doctorJson(box, { PATH: `${bin}:${box.bin}:${SYSTEM_PATH}` });
    assert.deepEqual(failing(by), ['tsh']);
    assert.equal(by.tsh?.detail, `${bin}/tsh is the teleport-tools launcher but is not executable`);
    assert.equal(by.tsh?.fix, `chmod +x ${bin}/tsh`);
  });

  it('no launcher on PATH at all: says where they are', async () => {
    const box = await sandbox();
    const r = await box.cli(['doctor'], { PATH: SYSTEM_PATH });
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^FAIL  tsh +no tsh on PATH\\. Fix: add ${SHIMS} to PATH`, 'm'));
    assert.match(r.stdout, /^FAIL {2}tctl +no tctl on PATH\./m);
    assert.equal(r.stdout.trimEnd().split('\n').length, NAMES.length, 'one line per check');
  });

  it('Node.js older than 20.19 first on PATH', async () => {
    const box = await sandbox();
    const old = join(box.root, 'old-node');
    await mkdir(old);
    await writeFile(join(old, 'node'), '#!/bin/sh\necho v18.19.0\n', { mode: 0o755 });
    const { by } = await doctorJson(box, { PATH: `${box.bin}:${old}:${SYSTEM_PATH}` });
    assert.deepEqual(failing(by), ['node']);
    assert.equal(by.node?.detail, `Node.js 18.19.0 (${old}/node) is too old: teleport-tools needs Node.js 20.19 or later to install or update`);
    assert.match(by.node?.fix ?? '', /^install a newer one \(nvm: .*PATH=\/path\/to\/newer\/node\/bin:\$PATH$/);
  });

  it('a node on PATH that is not Node.js, or that NODE_OPTIONS stops', async () => {
    const box = await sandbox();
    const fake = join(box.root, 'fake-node');
    await mkdir(fake);
    const PATH = `${box.bin}:${fake}:${SYSTEM_PATH}`;
    await writeFile(join(fake, 'node'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    const garbage = await doctorJson(box, { PATH });
    assert.deepEqual(failing(garbage.by), ['node']);
    assert.equal(garbage.by.node?.detail, `${fake}/node reports Node.js version "hello", which is not a Node.js release: teleport-tools needs Node.js 20.19 or later to install or update`);

    await writeFile(join(fake, 'node'), '#!/bin/sh\nif [ -n "$NODE_OPTIONS" ]; then echo "node: --no-deprecation is not allowed in NODE_OPTIONS" >&2; exit 9; fi\necho 22.1.0\n', { mode: 0o755 });
    assert.deepEqual(failing((await doctorJson(box, { PATH })).by), []);
    const stopped = await doctorJson(box, { PATH, NODE_OPTIONS: '--no-deprecation' });
    assert.deepEqual(failing(stopped.by), ['node']);
    assert.equal(stopped.by.node?.detail, `${fake}/node fails to start (node: --no-deprecation is not allowed in NODE_OPTIONS), so tsh and tctl cannot install or update`);
    assert.match(stopped.by.node?.fix ?? '', /^fix or unset NODE_OPTIONS \("--no-deprecation"\); or install a newer one/);
  });
});

describe('doctor finds cache and configuration problems', () => {
  it('a cache directory others can write to', async () => {
    const box = await sandbox();
    assert.equal((await box.tool('tsh', ['version'])).code, 0);
    await chmod(box.cacheDir, 0o777);
    const { by } = await doctorJson(box);
    assert.deepEqual(failing(by), ['cache']);
    assert.equal(by.cache?.detail, `cache directory ${box.cacheDir} is writable by group or others (mode 777)`);
    assert.equal(by.cache?.fix, `chmod -R go-w ${box.cacheDir}`);
  });

  it('a broken tools.yaml, and a TELEPORT_TOOLS_VERSION that is ignored', async () => {
    const box = await sandbox();
    await mkdir(join(box.teleportHome, 'config'), { recursive: true });
    await writeFile(join(box.teleportHome, 'config', 'tools.yaml'), 'disable_auto_updates: [not, a, boolean\n');
    const broken = await doctorJson(box);
    assert.ok(failing(broken.by).includes('config'));
    assert.match(broken.by.config?.detail ?? '', /automatic updates are off until it is fixed$/);
    await rm(join(box.teleportHome, 'config'), { recursive: true });
    const pinned = await doctorJson(box, { TELEPORT_TOOLS_VERSION: 'latest' });
    assert.deepEqual(failing(pinned.by), ['config']);
    assert.match(pinned.by.config?.detail ?? '', /^TELEPORT_TOOLS_VERSION="latest" is neither off nor a version X\.Y\.Z/);
  });

  it('NODE_EXTRA_CA_CERTS naming a missing file', async () => {
    const box = await sandbox();
    const missing = join(box.root, 'no-such-ca.pem');
    const { by } = await doctorJson(box, { NODE_EXTRA_CA_CERTS: missing });
    assert.ok(failing(by).includes('ca-certs'));
    assert.match(by['ca-certs']?.detail ?? '', new RegExp(`^NODE_EXTRA_CA_CERTS=${missing} cannot be read`));
    // Without the test CA, the endpoint's certificate is not trusted either: the fix names the variable.
    assert.match(by['version-endpoint']?.fix ?? '', /^set NODE_EXTRA_CA_CERTS to a PEM file/);
  });
});

describe('doctor checks the network the way the launchers use it', () => {
  it('says which proxy is used (redacted), and never prints its credentials', async () => {
    const box = await sandbox();
    const password = 's3cret/pass';
    const proxy = await startConnectProxy({ credentials: { user: 'bob', password } });
    file.cleanups.push(() => proxy.close());
    const env = { HTTPS_PROXY: proxy.urlWith('bob', password) };
    const { r, ok, by } = await doctorJson(box, env);
    assert.equal(ok, true, JSON.stringify(by, null, 2));
    assert.equal(by.proxy?.detail, `HTTPS_PROXY=${proxy.url}/ (with credentials, not shown)`);
    assert.match(by['version-endpoint']?.detail ?? '', new RegExp(`answered v16\\.4\\.7, through proxy ${proxy.url}/ \\(HTTPS_PROXY\\)$`));
    assert.match(by.cdn?.detail ?? '', new RegExp(`, through proxy ${proxy.url}/ \\(HTTPS_PROXY\\)$`));
    assert.ok(proxy.log.length >= 1 && proxy.log.every((e) => e.status === 200));
    const human = await box.cli(['doctor'], env);
    for (const text of [r.stdout, r.stderr, human.stdout, human.stderr]) {
      for (const secret of [password, encodeURIComponent(password), 'bob:']) assert.ok(!text.includes(secret), text);
    }
  });

  it('NO_PROXY: says the request goes direct and why', async () => {
    const box = await sandbox();
    const { by } = await doctorJson(box, { HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: '127.0.0.1' });
    assert.match(by['version-endpoint']?.detail ?? '', /, directly \(NO_PROXY\)$/);
  });

  it('a proxy that is down: endpoint and CDN fail naming the proxy, with the fix', async () => {
    const box = await sandbox();
    const proxy = await startConnectProxy();
    await proxy.close();
    const { by } = await doctorJson(box, { HTTPS_PROXY: `http://u:hunter2@127.0.0.1:${proxy.port}` });
    assert.deepEqual(failing(by), ['version-endpoint', 'cdn']);
    assert.match(by['version-endpoint']?.detail ?? '', new RegExp(`through proxy http://127\\.0\\.0\\.1:${proxy.port}/: connect ECONNREFUSED`));
    assert.equal(by['version-endpoint']?.fix, `check HTTPS_PROXY (is the proxy running at http://127.0.0.1:${proxy.port}/?), or unset it if no proxy is needed`);
    assert.match(by.clock?.detail ?? '', /^skipped: the version endpoint did not answer/);
    assert.ok(!JSON.stringify(by).includes('hunter2'));
  });

  it('a proxy setting that is not a URL: the proxy check fails, without echoing it', async () => {
    const box = await sandbox();
    const mark = file.cdn.requests.length;
    const { r, by } = await doctorJson(box, { HTTPS_PROXY: 'http://u:hunter2@[proxy' });
    assert.deepEqual(failing(by), ['proxy', 'version-endpoint']);
    assert.equal(by.proxy?.detail, 'HTTPS_PROXY is not a valid proxy URL; expected http://[user:password@]host:port');
    assert.match(by.cdn?.detail ?? '', /^skipped: no usable proxy setting/);
    assert.equal(file.cdn.requests.length, mark);
    assert.ok(!r.stdout.includes('hunter2') && !r.stderr.includes('hunter2'));
  });

  it('a proxy that wants credentials', async () => {
    const box = await sandbox();
    const proxy = await startConnectProxy({ credentials: { user: 'u', password: 'p' } });
    file.cleanups.push(() => proxy.close());
    const { by } = await doctorJson(box, { HTTPS_PROXY: proxy.url });
    assert.deepEqual(failing(by), ['version-endpoint', 'cdn']);
    assert.equal(by['version-endpoint']?.fix, "put the proxy's user name and password in HTTPS_PROXY: http://user:password@host:port");
  });

  it('an endpoint signed by a CA that is not trusted', async () => {
    const other = await startCdn({ cert: 'other', version: `v${VERSION}` });
    file.cleanups.push(() => other.close());
    other.serveRelease(file.release);
    const box = await sandbox(other);
    const { by } = await doctorJson(box);
    assert.deepEqual(failing(by), ['version-endpoint', 'cdn']);
    assert.match(by['version-endpoint']?.detail ?? '', /^cannot reach 127\.0\.0\.1:\d+: unable to verify the first certificate \(directly\)$/);
    assert.match(by['version-endpoint']?.fix ?? '', /^set NODE_EXTRA_CA_CERTS to a PEM file with the CA that signs 127\.0\.0\.1:\d+'s certificate/);
    const trusted = await doctorJson(box, { NODE_EXTRA_CA_CERTS: tlsPaths.otherCa });
    assert.equal(trusted.ok, true, JSON.stringify(trusted.by, null, 2));
  });

  it('a CDN without the release for this platform', async () => {
    const empty = await startCdn({ version: 'v99.0.0' });
    file.cleanups.push(() => empty.close());
    const box = await sandbox(empty);
    const { by } = await doctorJson(box);
    assert.deepEqual(failing(by), ['cdn']);
    assert.match(by.cdn?.detail ?? '', /has no teleport-v99\.0\.0-\w+-\w+-bin\.tar\.gz \(HTTP 404 for its \.sha256; directly\)$/);
    assert.equal(by.cdn?.fix, 'check TELEPORT_CDN_BASE_URL');
  });

  it('a version endpoint answering a web page (a proxy login page)', async () => {
    const portal = await startCdn();
    file.cleanups.push(() => portal.close());
    portal.serve(VERSION_PATH, '<!DOCTYPE html><html><body>Please log in</body></html>', 'text/html');
    const box = await sandbox(portal);
    const { by } = await doctorJson(box);
    assert.ok(failing(by).includes('version-endpoint'));
    assert.match(by['version-endpoint']?.detail ?? '', /a web page came back/);
  });
});

describe('doctor compares the clock with the server', () => {
  const dated = async (offsetMs: number): Promise<Record<string, JsonCheck>> => {
    const server = await startCdn();
    file.cleanups.push(() => server.close());
    server.behave(VERSION_PATH, { kind: 'status', status: 200, body: `v${VERSION}\n`, headers: { date: new Date(Date.now() + offsetMs).toUTCString() } });
    const box = await sandbox(server);
    return (await doctorJson(box)).by;
  };

  it('fails when this computer is minutes ahead', async () => {
    const by = await dated(-10 * 60_000);
    assert.deepEqual(failing(by), ['cdn', 'clock']); // this server has no release: only the clock matters here
    assert.match(by.clock?.detail ?? '', /^this computer's clock is (9 min 5\d s|10 min \d s) ahead of 127\.0\.0\.1:\d+ \(its Date header\); logins fail beyond about 60 s$/);
    assert.match(by.clock?.fix ?? '', process.platform === 'darwin' ? /Date & Time/ : /^turn on time synchronisation: sudo timedatectl set-ntp true$/);
  });

  it('fails when it is an hour behind', async () => {
    const by = await dated(3600_000);
    assert.match(by.clock?.detail ?? '', /clock is (59 min \d+ s|1 h 0 min) behind/);
    assert.equal(by.clock?.ok, false);
  });

  it('passes within the tolerance, saying by how much', async () => {
    const by = await dated(-20_000);
    assert.equal(by.clock?.ok, true);
    const said = /^(\d+) s ahead of 127\.0\.0\.1:\d+ \(its Date header\), within 60 s$/.exec(by.clock?.detail ?? '');
    assert.ok(said, by.clock?.detail);
    // At least the 20 s the server's clock is behind (one second of rounding); a slow machine only adds.
    assert.ok(Number(said[1]) >= 19, by.clock?.detail);
  });
});

describe('doctor command line', () => {
  it('rejects unknown options with exit 2', async () => {
    const box = await sandbox();
    const r = await box.cli(['doctor', '--nope']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
  });
});
