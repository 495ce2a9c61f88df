// The launch decision from tables: no processes, no files.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { afterDamage, chooseVersion, hookHost, lastResort, shouldInstall } from '../../src/tools/launch-decision.js';
import { readCall } from '../../src/tools/profile.js';
import type { LastResortFacts, VersionChoice, VersionFacts } from '../../src/tools/launch-decision.js';

describe('the launch decision', () => {
  test('install first only when the selected version is missing and requests are allowed', () => {
    assert.equal(shouldInstall(false, true), true);
    assert.equal(shouldInstall(false, false), false);
    assert.equal(shouldInstall(true, true), false);
    assert.equal(shouldInstall(true, false), false);
  });

  test('which installed version runs, and the one warning line', () => {
    const rows: [string, VersionFacts, VersionChoice][] = [
      ['the selected version, installed', { selected: '2.0.0', installed: ['3.0.0', '2.0.0', '1.0.0'], failure: undefined }, { version: '2.0.0', warning: undefined, fallbacks: ['3.0.0', '1.0.0'] }],
      ['installed, though the install said it failed (another process won)', { selected: '2.0.0', installed: ['2.0.0'], failure: 'install cancelled' }, { version: '2.0.0', warning: undefined, fallbacks: [] }],
      ['not installed, updates off: the newest, saying why', { selected: '4.0.0', installed: ['3.0.0', '1.0.0'], failure: undefined }, { version: '3.0.0', warning: 'v4.0.0 is not installed; running the newest installed version, v3.0.0', fallbacks: ['1.0.0'] }],
      ['the install failed: the newest, with the failure', { selected: '4.0.0', installed: ['3.0.0'], failure: 'could not install v4.0.0: boom' }, { version: '3.0.0', warning: 'could not install v4.0.0: boom; running the newest installed version, v3.0.0', fallbacks: [] }],
      ['the cloud-stable version could not be fetched', { selected: undefined, installed: ['3.0.0'], failure: 'could not install the cloud-stable version: offline' }, { version: '3.0.0', warning: 'could not install the cloud-stable version: offline; running the newest installed version, v3.0.0', fallbacks: [] }],
      ['nothing selected, updates off: the newest, silently', { selected: undefined, installed: ['3.0.0', '1.0.0'], failure: undefined }, { version: '3.0.0', warning: undefined, fallbacks: ['1.0.0'] }],
      ['nothing installed: look further, carrying the failure', { selected: '4.0.0', installed: [], failure: 'install cancelled' }, { version: undefined, failure: 'install cancelled' }],
      ['nothing installed, nothing failed', { selected: undefined, installed: [], failure: undefined }, { version: undefined, failure: undefined }],
    ];
    for (const [name, facts, choice] of rows) assert.deepEqual(chooseVersion(facts), choice, name);
  });

  test('a damaged version: the next installed one that checks out, or the damage as the failure', () => {
    assert.deepEqual(afterDamage('/c/2.0.0/tsh is not the file that was installed', '1.0.0'), { version: '1.0.0', warning: '/c/2.0.0/tsh is not the file that was installed; running v1.0.0' });
    assert.deepEqual(afterDamage('broken', undefined), { version: undefined, failure: 'broken' });
  });

  test('nothing installed can run: the tool on PATH, else an error naming the cause and the fix', () => {
    const base: LastResortFacts = { tool: 'tsh', failure: undefined, onPath: undefined, networkAllowed: true, cacheDir: '/h/.tsh/cache', updatesOffReason: 'TELEPORT_TOOLS_VERSION=off', pinnedOff: false };
    assert.deepEqual(lastResort({ ...base, onPath: '/usr/bin/tsh' }), { binary: '/usr/bin/tsh', warning: 'no Teleport client tools installed by teleport-tools; running /usr/bin/tsh' });
    assert.deepEqual(lastResort({ ...base, onPath: '/usr/bin/tsh', failure: 'install cancelled' }), { binary: '/usr/bin/tsh', warning: 'install cancelled; no Teleport client tools installed by teleport-tools; running /usr/bin/tsh' });
    assert.deepEqual(lastResort({ ...base, failure: 'could not install v1.0.0: offline' }), {
      binary: undefined,
      warning: 'could not install v1.0.0: offline',
      error: "no tsh to run: none is installed in /h/.tsh/cache and none is on PATH; check your network or proxy settings (HTTPS_PROXY, NODE_EXTRA_CA_CERTS) and run 'teleport-tools update'",
    });
    assert.deepEqual(lastResort({ ...base, tool: 'tctl', networkAllowed: false, pinnedOff: true }), {
      binary: undefined,
      warning: undefined,
      error: "no tctl to run: none is installed in /h/.tsh/cache and none is on PATH; automatic updates are off (TELEPORT_TOOLS_VERSION=off); install a version with 'teleport-tools update' (without TELEPORT_TOOLS_VERSION=off)",
    });
    const off = lastResort({ ...base, networkAllowed: false, updatesOffReason: 'disable_auto_updates: true' });
    assert.equal(off.binary === undefined && off.error.endsWith("automatic updates are off (disable_auto_updates: true); install a version with 'teleport-tools update'"), true);
  });
});

describe('the Connect My Computer hooks', () => {
  const call = (tool: 'tsh' | 'tctl', args: string[], envProxy?: string, currentProfile?: string) => hookHost(readCall({ tool, args, envProxy, currentProfile }));

  test("login: the call's profile; logout: the named proxy's host, or none (every profile); nothing else", () => {
    assert.equal(call('tsh', ['-l', '--proxy=Prod.Example.com:443', 'login']), 'Prod.Example.com');
    assert.equal(call('tsh', ['login'], 'env.example.com:3080', 'cur.example.com\n'), 'env.example.com');
    assert.equal(call('tsh', ['login'], undefined, 'cur.example.com\n'), 'cur.example.com');
    assert.equal(call('tsh', ['login', '--proxy=../x']), undefined);
    assert.equal(call('tsh', ['logout', '--proxy=https://Prod.Example.com:3080']), 'Prod.Example.com');
    // A hostile name is passed on, never turned into "every profile": Connect My Computer refuses it with a warning.
    assert.equal(call('tsh', ['logout', '--proxy=../x']), '..');
    assert.equal(call('tsh', ['logout'], undefined, 'cur.example.com\n'), undefined);
    assert.equal(call('tsh', ['status', '--proxy=p.example.com']), undefined);
    assert.equal(call('tctl', ['login'], 'env.example.com'), undefined);
  });
});
