// A broken or lying version endpoint never changes cloud-stable-version, and tsh login still runs.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { VERSION_PATH } from '../helpers/cdn-server.js';
import type { BehaviourSetting } from '../helpers/cdn-server.js';
import { world } from './world.js';

const cases: [string, BehaviourSetting, RegExp][] = [
  ['an HTML page', { kind: 'body', body: '<html><body>Maintenance</body></html>', contentType: 'text/html' }, /did not answer a version/],
  ['a 1 MB body', { kind: 'body', body: Buffer.alloc(1 << 20, 0x31) }, /at most 256 expected/],
  ['a path', { kind: 'body', body: '../../x' }, /did not answer a version/],
  ['a shell injection', { kind: 'body', body: '13.2.3; rm -rf /' }, /did not answer a version/],
  ['an empty body', { kind: 'body', body: '' }, /did not answer a version/],
  ['HTTP 500 forever', { kind: 'status', status: 500 }, /HTTP 500/],
];

describe('broken version endpoint', () => {
  for (const [name, behaviour, message] of cases) {
    test(`${name}: one warning, cloud-stable-version unchanged, tsh login runs the installed version`, async (t) => {
      const w = await world(['13.2.3'], '13.2.3', t);
      await w.preinstalled('13.2.3');
      w.cdn.behave(VERSION_PATH, behaviour);
      const r = await w.sb.tool('tsh', ['--proxy=acme.teleport.sh', 'login', '__env', 'TELEPORT_TOOLS_VERSION']);
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('teleport-tools: warning:'));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0] ?? '', message);
      assert.equal(await readFile(join(w.sb.teleportHome, 'cloud-stable-version'), 'utf8'), '13.2.3\n');
      assert.deepEqual((await w.sb.cacheEntries()).filter((e) => e !== '.lock'), ['13.2.3']);
    });
  }

  test('an endpoint that hangs is given up after 10 s and the installed tsh runs', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    w.cdn.behave(VERSION_PATH, { kind: 'hang' });
    const r = await w.sb.tool('tsh', ['login', '--proxy=acme.teleport.sh']);
    assert.match(r.stderr, /warning: could not update tsh\/tctl: .*did not answer within 10 s/);
    assert.equal(await readFile(join(w.sb.teleportHome, 'cloud-stable-version'), 'utf8'), '13.2.3\n');
  });
});
