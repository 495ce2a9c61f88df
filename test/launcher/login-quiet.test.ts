// `tsh login` refreshes cloud-stable-version from the version endpoint, for Cloud proxies only: the
// logins that change nothing (up to date, self-hosted, opted out, pinned), and what the launcher loads.
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { VERSION_PATH } from '../helpers/cdn-server.js';
import { paths, versionFile, world } from './world.js';

describe('tsh login that changes nothing', () => {
  test('when already up to date: one request, no messages', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    w.cdn.requests.length = 0;
    const r = await w.sb.tool('tsh', ['login', '--proxy=acme.teleport.sh']);
    assert.deepEqual(paths(w.cdn), [VERSION_PATH]);
    assert.doesNotMatch(r.stderr, /teleport-tools|cloud-stable|Updated/);
  });

  test('the launchers\' Node.js side (one bundled file) loads no npm package on an up-to-date login or a slow-path run', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    // Each Node.js process started for the launcher (main.cjs) writes what it required from node_modules.
    const preload = join(w.sb.root, 'loaded.cjs');
    const out = join(w.sb.root, 'loaded');
    await mkdir(out);
    await writeFile(preload, `process.on('exit', () => {
      if (!/main\\.cjs$/.test(process.argv[1] || '')) return;
      const npm = Object.keys(require.cache).filter((f) => f.includes('/node_modules/'));
      require('fs').writeFileSync(${JSON.stringify(out)} + '/' + process.pid, JSON.stringify(npm));
    });\n`);
    const env = { NODE_OPTIONS: `--require ${preload}` };
    // The test CDN is the Cloud proxy here (cloud_proxy_suffixes), so that no proxy applies to either
    // request (a proxied one loads undici, as it should).
    await mkdir(join(w.sb.teleportHome, 'config'), { recursive: true });
    await writeFile(join(w.sb.teleportHome, 'config', 'tools.yaml'), 'cloud_proxy_suffixes:\n  - .0.0.1\n');
    w.cdn.requests.length = 0;
    // (The fake tsh has no cluster here and fails after the launcher handed over: only the launcher counts.)
    const login = await w.sb.tool('tsh', ['login', `--proxy=${new URL(w.cdn.url).host}`], env);
    assert.doesNotMatch(login.stderr, /teleport-tools/);
    assert.deepEqual(paths(w.cdn), ['/webapi/find', VERSION_PATH], 'the cluster first; version_url only after it named no version');
    // `tsh status login` has `login` among its arguments: the slow path, with nothing to do.
    const status = await w.sb.tool('tsh', ['status', 'login'], env);
    assert.doesNotMatch(status.stderr, /teleport-tools/);
    const runs = await readdir(out);
    assert.equal(runs.length, 2, 'one launcher process for each call');
    for (const pid of runs) assert.deepEqual(JSON.parse(await readFile(join(out, pid), 'utf8')), [], `launcher process ${pid}`);
  });

  test('a self-hosted proxy makes no request at all', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    w.cdn.setVersion('v13.3.0');
    w.cdn.requests.length = 0;
    for (const proxy of ['teleport.example.com', 'teleport.sh', 'evil-teleport.sh.example.com:443']) {
      await w.sb.tool('tsh', ['login', `--proxy=${proxy}`]);
    }
    assert.deepEqual(w.cdn.requests, []);
    assert.equal(await versionFile(w.sb.teleportHome), '13.2.3\n');
  });

  test('opt-out: TELEPORT_TOOLS_VERSION=off or disable_auto_updates makes no request', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    w.cdn.setVersion('v13.3.0');
    w.cdn.requests.length = 0;
    await w.sb.tool('tsh', ['login', '--proxy=acme.teleport.sh'], { TELEPORT_TOOLS_VERSION: 'off' });
    await mkdir(join(w.sb.teleportHome, 'config'), { recursive: true });
    await writeFile(join(w.sb.teleportHome, 'config', 'tools.yaml'), 'disable_auto_updates: true\n');
    await w.sb.tool('tsh', ['login', '--proxy=acme.teleport.sh']);
    await w.sb.tool('tctl', ['status']);
    assert.deepEqual(w.cdn.requests, []);
    assert.equal(await versionFile(w.sb.teleportHome), '13.2.3\n');
  });

  test('a pinned version is not refreshed on login and cloud-stable-version is left alone', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    w.cdn.setVersion('v13.3.0');
    w.cdn.requests.length = 0;
    const r = await w.sb.tool('tsh', ['login', '--proxy=acme.teleport.sh'], { TELEPORT_TOOLS_VERSION: '13.2.3' });
    assert.doesNotMatch(r.stderr, /detected/);
    assert.deepEqual(w.cdn.requests, []);
    assert.equal(await versionFile(w.sb.teleportHome), '13.2.3\n');
  });
});
