// Self-tests of the fixtures every other test relies on: checked against the system's tar and sha256sum,
// real processes and real HTTPS, so that a fixture bug cannot hide a bug in the code under test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { CdnServer } from './cdn-server.js';
import { fakeProgram } from './fake-programs.js';
import { startCdn } from './cdn-server.js';
import type { BuiltRelease } from './release.js';
import { HOSTILE_NAMES, buildRelease, hostileArchives } from './release.js';
import { tlsPaths, tlsPems } from './tls.js';

interface Result { code: number | null; signal: string | null; stdout: string; stderr: string }

interface RunOptions { env?: NodeJS.ProcessEnv; input?: string; cwd?: string }

function run(file: string, args: string[], { env, input, cwd }: RunOptions = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject).on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

let tmp: string;
let release: BuiltRelease;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'helpers-test-'));
  release = await buildRelease({ dir: tmp, version: '13.2.3', os: 'linux', arch: 'amd64', padBytes: 1 << 18 });
});
after(() => rm(tmp, { recursive: true, force: true }));

describe('release archive', () => {
  it('lists with tar exactly the docs/teleport.md layout, GNU format, owned by root', async () => {
    assert.equal(release.archiveName, 'teleport-v13.2.3-linux-amd64-bin.tar.gz');
    const listing = await run('tar', ['-tzvf', release.archivePath]);
    assert.equal(listing.code, 0, listing.stderr);
    const rows = listing.stdout.trim().split('\n').map((line) => line.split(/\s+/));
    const exec = ['install', 'teleport', 'tctl', 'tsh', 'tbot', 'fdpass-teleport'];
    const expected = ['', 'examples/', 'examples/systemd/', 'examples/systemd/README.md',
      'examples/systemd/teleport.service', 'install', 'README.md', 'CHANGELOG.md', 'LICENSE-community', 'VERSION',
      'teleport', 'tctl', 'tsh', 'tbot', 'fdpass-teleport'];
    assert.deepEqual(rows.map((r) => r[5]), expected.map((name) => `teleport/${name}`));
    for (const [mode, owner, , , , path = ''] of rows) {
      assert.equal(owner, 'root/root', path);
      const name = path.slice('teleport/'.length);
      assert.equal(mode, path.endsWith('/') ? 'drwxr-xr-x' : exec.includes(name) ? '-rwxr-xr-x' : '-rw-r--r--', path);
    }
    const tar = gunzipSync(await readFile(release.archivePath));
    assert.equal(tar.toString('latin1', 257, 265), 'ustar  \0'); // GNU magic
    const version = await run('tar', ['-xzOf', release.archivePath, 'teleport/VERSION']);
    assert.equal(version.stdout, 'v13.2.3\n');
  });

  it('names enterprise and FIPS archives and uses the teleport-ent/ top folder', async () => {
    const ent = await buildRelease({ dir: tmp, version: '14.0.0', edition: 'ent', os: 'darwin', arch: 'arm64', fips: true });
    assert.equal(ent.archiveName, 'teleport-ent-v14.0.0-darwin-arm64-fips-bin.tar.gz');
    const listing = await run('tar', ['-tzf', ent.archivePath]);
    assert.ok(listing.stdout.split('\n').includes('teleport-ent/tsh'));
  });

  it('writes a .sha256 file identical to sha256sum output', async () => {
    const sum = await run('sha256sum', [release.archiveName], { cwd: tmp });
    assert.equal(await readFile(release.sha256Path, 'utf8'), sum.stdout);
    assert.match(sum.stdout, new RegExp(`^${release.sha256}  ${release.archiveName}\\n$`));
  });
});

describe('fake programs', () => {
  let bin: string;
  let emptyPath: string;
  before(async () => {
    const dir = await mkdtemp(join(tmp, 'x-'));
    assert.equal((await run('tar', ['-xzf', release.archivePath, '-C', dir])).code, 0);
    bin = join(dir, 'teleport');
    emptyPath = await mkdtemp(join(tmp, 'empty-path-'));
  });
  const tsh = (...args: string[]): Promise<Result> => run(join(bin, 'tsh'), args);

  it('answer version from sh alone in docs/teleport.md formats', async () => {
    const noNode = { env: { PATH: emptyPath } };
    const text = await run(join(bin, 'tsh'), ['version'], noNode);
    assert.match(text.stdout, /^Teleport v13\.2\.3 git:v13\.2\.3-0-g[0-9a-f]{7} go1\.20\n$/);
    const json = await run(join(bin, 'tsh'), ['version', '--format=json'], noNode);
    const parsed = JSON.parse(json.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(parsed), ['version', 'gitref', 'runtime']);
    assert.equal(parsed.version, '13.2.3');
    assert.match(json.stdout, /^\{"version": "13\.2\.3", "gitref": "v13\.2\.3-0-g[0-9a-f]{7}", "runtime": "go1\.20"\}\n$/);
    assert.equal((await run(join(bin, 'teleport'), ['version', '--raw'], noNode)).stdout, '13.2.3\n');
    assert.equal((await run(join(bin, 'tctl'), ['version'], noNode)).stdout, text.stdout);
    // With no Node.js to be found, version still answers and anything else fails: sh alone answers it.
    const nodeless = join(emptyPath, 'tsh');
    await writeFile(nodeless, fakeProgram('tsh', { version: '13.2.3', node: join(emptyPath, 'node') }), { mode: 0o755 });
    assert.equal((await run(nodeless, ['version'], noNode)).stdout, text.stdout);
    assert.equal((await run(nodeless, ['__pid'], noNode)).code, 127);
  });

  it('run the instrumentation subcommands through node, padding and all', async () => {
    assert.deepEqual(JSON.parse((await tsh('__args', 'a', 'b c', '')).stdout), ['a', 'b c', '']);
    assert.equal((await run(join(bin, 'tctl'), ['__cat'], { input: 'hello\n' })).stdout, 'hello\n');
    assert.equal((await tsh('__exit', '7')).code, 7);
    const env = await run(join(bin, 'tsh'), ['__env', 'FOO', 'UNSET'], { env: { ...process.env, FOO: 'bar' } });
    assert.deepEqual(JSON.parse(env.stdout), { FOO: 'bar', UNSET: null });
    assert.deepEqual(await tsh('__stderr', 'oops'), { code: 0, signal: null, stdout: '', stderr: 'oops\n' });
    assert.deepEqual(await tsh('no-such-command'), { code: 1, signal: null, stdout: '', stderr: 'ERROR: unknown command\n' });
    assert.equal((await tsh('version', '--raw')).code, 1); // only teleport has --raw
  });

  it('__wait-signal reports the signal and exits 128+signo', async () => {
    const child = spawn(join(bin, 'tsh'), ['__wait-signal']);
    let stdout = '';
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout === 'ready\n') resolve();
    }));
    child.kill('SIGTERM');
    assert.equal(await closed, 143);
    assert.equal(stdout, 'ready\ngot SIGTERM\n');
  });
});

interface Fetched { status?: number; headers?: IncomingHttpHeaders; body: Buffer; error?: string }

function fetchUrl(url: string): Promise<Fetched> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    get(url, { ca: tlsPems.ca, agent: false }, (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), error: e.message }));
    }).on('error', (e) => resolve({ body: Buffer.concat(chunks), error: e.message }));
  });
}

describe('cdn server', () => {
  let cdn: CdnServer;
  before(async () => {
    cdn = await startCdn({ version: 'v13.2.3' });
    cdn.serveRelease(release);
  });
  after(() => cdn.close());

  it('serves over HTTPS to a process trusting the test CA via NODE_EXTRA_CA_CERTS, and logs requests', async () => {
    const script = `require('node:https').get(process.argv[1], (r) => { const h = require('node:crypto').createHash('sha256');
      r.on('data', (c) => h.update(c)).on('end', () => console.log(r.statusCode, h.digest('hex'))); })`;
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: tlsPaths.ca };
    const ok = await run(process.execPath, ['-e', script, cdn.urlFor(`/${release.archiveName}`)], { env });
    assert.equal(ok.stdout, `200 ${release.sha256}\n`, ok.stderr);
    const other = await startCdn({ cert: 'other' });
    try {
      const refused = await run(process.execPath, ['-e', script, other.url], { env });
      assert.match(refused.stderr, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
    } finally {
      await other.close();
    }
    const log = cdn.requests.find((r) => r.path === `/${release.archiveName}`);
    assert.equal(log?.method, 'GET');
    assert.equal(log?.headers.host, new URL(cdn.url).host);
    assert.equal(cdn.count(`/${release.archiveName}`), 1);
    const version = await fetchUrl(cdn.versionUrl);
    assert.equal(version.body.toString(), 'v13.2.3');
    const ping = JSON.parse((await fetchUrl(cdn.urlFor('/webapi/ping'))).body.toString()) as Record<string, unknown>;
    assert.equal(ping.server_version, '13.2.3');
  });

  it('status switches apply `times` requests, then the path recovers', async () => {
    const path = `/${release.archiveName}.sha256`;
    cdn.behave(path, { kind: 'status', status: 503, headers: { 'retry-after': '1' }, times: 1 });
    const failed = await fetchUrl(cdn.urlFor(path));
    assert.equal(failed.status, 503);
    assert.equal(failed.headers?.['retry-after'], '1');
    const recovered = await fetchUrl(cdn.urlFor(path));
    assert.equal(recovered.body.toString(), await readFile(release.sha256Path, 'utf8'));
  });

  it('truncate sends the full Content-Length and stops early', async () => {
    const path = `/${release.archiveName}`;
    cdn.behave(path, { kind: 'truncate', after: 1000 });
    const cut = await fetchUrl(cdn.urlFor(path));
    cdn.behave(path, { kind: 'ok' });
    assert.equal(Number(cut.headers?.['content-length']), release.size);
    assert.ok(cut.error, 'the client must see an error');
    assert.ok(cut.body.length <= 1000);
  });

  it('gates hold requests until released; close() ends hanging connections', async () => {
    const hung = await startCdn({ version: 'v1.0.0' });
    const gate = hung.gate('/v1/stable/cloud/client-version');
    const both = Promise.all([fetchUrl(hung.versionUrl), fetchUrl(hung.versionUrl)]);
    await gate.arrived(2);
    assert.equal(gate.held, 2);
    gate.release();
    assert.deepEqual((await both).map((r) => r.body.toString()), ['v1.0.0', 'v1.0.0']);
    hung.behave('/slow-forever', { kind: 'hang' });
    const pending = fetchUrl(hung.urlFor('/slow-forever'));
    await hung.waitForRequests('/slow-forever');
    await hung.close();
    assert.ok((await pending).error);
  });
});

describe('hostile archives', () => {
  it('build (all but the slow bomb) and show their defect to the system tar', async () => {
    const all = hostileArchives('13.2.3');
    assert.deepEqual(Object.keys(all), [...HOSTILE_NAMES]);
    const dir = dirname(release.archivePath);
    const list = async (name: (typeof HOSTILE_NAMES)[number]): Promise<Result> => {
      const file = join(dir, `${name}.tar.gz`);
      await writeFile(file, await all[name].data());
      return run('tar', ['-tvzf', file]);
    };
    assert.match((await list('dotdot')).stdout, /teleport\/\.\.\/\.\.\/teleport-tools-hostile-dotdot/);
    assert.match((await list('symlink-outside')).stdout, /teleport\/tsh -> \/etc\/passwd/);
    assert.match((await list('chardev')).stdout, /^crw.* 1,3 .*teleport\/tsh$/m);
    assert.notEqual((await list('not-gzip')).code, 0);
    assert.notEqual((await list('truncated-tar')).code, 0);
    assert.equal((await list('trailing-garbage')).code, 0);
    const data = await all['long-name'].data();
    assert.ok(gunzipSync(data).includes('././@LongLink'));
    assert.notEqual(createHash('sha256').update(data).digest('hex'), release.sha256);
  });
});
