// `tsh login` refreshes cloud-stable-version from the version endpoint, for Cloud proxies only: the
// refresh itself, whichever way the proxy is named (login-quiet.test.ts has the logins that ask nothing).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { VERSION_PATH } from '../helpers/cdn-server.js';
import { paths, versionFile, world } from './world.js';

describe('tsh login', () => {
  for (const argv of [
    ['login', '--proxy=acme.teleport.sh'],
    ['--insecure', 'login', '--proxy', 'acme.teleport.sh:443'],
    ['-d', '--proxy=acme.teleport.sh', 'login'],
    ['-l', 'root', '--proxy', 'https://acme.teleport.sh', 'login', '--user=alice'],
  ]) {
    test(`picks up a new cloud-stable version: tsh ${argv.join(' ')}`, async (t) => {
      const w = await world(['13.2.3', '13.3.0'], '13.2.3', t);
      await w.preinstalled('13.2.3');
      w.cdn.setVersion('v13.3.0');
      w.cdn.requests.length = 0;
      const r = await w.sb.tool('tsh', argv);
      assert.match(r.stderr, /^New cloud-stable version of Teleport detected: v13\.3\.0$/m);
      assert.match(r.stderr, /^Updated tsh\/tctl to version v13\.3\.0!$/m);
      assert.equal(r.stdout.includes('teleport-tools'), false);
      assert.equal(await versionFile(w.sb.teleportHome), '13.3.0\n');
      assert.deepEqual(paths(w.cdn), [VERSION_PATH, `${await w.archivePath('13.3.0')}.sha256`, await w.archivePath('13.3.0')]);
      // The new tsh runs from now on, on the fast path.
      const v = await w.sb.tool('tctl', ['version']);
      assert.match(v.stdout, /v13\.3\.0/);
    });
  }

  test('the proxy may come from TELEPORT_PROXY or the current profile', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    w.cdn.setVersion('v13.3.0');
    const r = await w.sb.tool('tsh', ['login'], { TELEPORT_PROXY: 'acme.teleport.sh:443' });
    assert.match(r.stderr, /Updated tsh\/tctl to version v13\.3\.0!/);

    const w2 = await world(['13.2.3', '13.3.0'], '13.2.3', t);
    await w2.preinstalled('13.2.3');
    w2.cdn.setVersion('v13.3.0');
    await writeFile(join(w2.sb.teleportHome, 'current-profile'), 'acme.teleport.sh\n');
    const r2 = await w2.sb.tool('tsh', ['login']);
    assert.match(r2.stderr, /Updated tsh\/tctl to version v13\.3\.0!/);
    assert.equal(await versionFile(w2.sb.teleportHome), '13.3.0\n');
  });
});
