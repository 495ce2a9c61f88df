// A CDN whose certificate only a private CA trusts (a corporate TLS-inspecting proxy, an internal
// mirror): it works with NODE_EXTRA_CA_CERTS naming that CA, and fails clearly without it, the message
// naming the variable, with nothing left behind.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { buildRelease } from '../helpers/release.js';
import type { BuiltRelease } from '../helpers/release.js';
import { createSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { tlsPaths } from '../helpers/tls.js';

const VERSION = '14.1.0';
let tmp: string;
let release: BuiltRelease;
/** Presents a certificate signed by the "other" CA, which the sandbox's NODE_EXTRA_CA_CERTS does not name. */
let privateCdn: CdnServer;
const boxes: Sandbox[] = [];

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tt-tls-'));
  release = await buildRelease({ dir: tmp, version: VERSION });
  privateCdn = await startCdn({ cert: 'other', version: `v${VERSION}` });
  privateCdn.serveRelease(release);
});
after(async () => {
  await privateCdn.close();
  for (const box of boxes) await box.remove();
  await rm(tmp, { recursive: true, force: true });
});

async function sandbox(cdn: CdnServer = privateCdn, stayLocal = false): Promise<Sandbox> {
  const box = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url, stayLocal });
  boxes.push(box);
  return box;
}

const HINT = /\(if a proxy or private CA re-signs TLS traffic, point NODE_EXTRA_CA_CERTS at its CA certificate\)/;

async function assertNothingLeft(box: Sandbox): Promise<void> {
  assert.deepEqual(await box.cacheEntries(), []);
  assert.equal(await box.hasVersionFile(), false);
}

describe('a CDN signed by a private CA', () => {
  it('works with NODE_EXTRA_CA_CERTS naming that CA', async () => {
    const box = await sandbox();
    const r = await box.tool('tsh', ['version'], { NODE_EXTRA_CA_CERTS: tlsPaths.otherCa });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v14\.1\.0 /);
  });

  it('works through a proxy too (TLS is end to end inside the tunnel)', async () => {
    const box = await sandbox();
    const proxy = await startConnectProxy();
    try {
      const r = await box.tool('tsh', ['version'], { NODE_EXTRA_CA_CERTS: tlsPaths.otherCa, HTTPS_PROXY: proxy.url });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(proxy.log.length >= 1 && proxy.log.every((e) => e.status === 200));
    } finally {
      await proxy.close();
    }
  });

  it('fails with a message naming NODE_EXTRA_CA_CERTS when another CA is configured, leaving nothing behind', async () => {
    const box = await sandbox();
    const r = await box.tool('tsh', ['version']); // the sandbox trusts the test CA, not this one
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const url = new URL(privateCdn.url);
    assert.match(r.stderr, new RegExp(`cannot reach ${url.host.replaceAll('.', '\\.')}: unable to verify the first certificate`));
    assert.match(r.stderr, HINT);
    assert.match(r.stderr, /no tsh to run/);
    await assertNothingLeft(box);
  });

  it('fails the same way with no NODE_EXTRA_CA_CERTS at all', async () => {
    const box = await sandbox();
    const r = await box.cli(['update'], { NODE_EXTRA_CA_CERTS: undefined });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, HINT);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('teleport-tools:')).length, 1, r.stderr);
    await assertNothingLeft(box);
  });

  it('when only the CDN is untrusted, the version is looked up but nothing is installed', async () => {
    const trustedVersion = await startCdn({ version: `v${VERSION}` });
    try {
      const box = await createSandbox({ versionUrl: trustedVersion.versionUrl, cdnBaseUrl: privateCdn.url });
      boxes.push(box);
      const r = await box.tool('tctl', ['version']);
      assert.equal(r.code, 1);
      assert.equal(trustedVersion.count('/v1/stable/cloud/client-version'), 1);
      assert.match(r.stderr, HINT);
      await assertNothingLeft(box);
    } finally {
      await trustedVersion.close();
    }
  });
});

describe('an installed version keeps working when TLS fails (fail open)', () => {
  it('tsh login refresh against an untrusted endpoint warns once and runs the installed tsh', async () => {
    // The login also asks example.teleport.sh's /webapi/find: kept on this machine (see stayLocal).
    const box = await sandbox(privateCdn, true);
    const install = await box.tool('tsh', ['version'], { NODE_EXTRA_CA_CERTS: tlsPaths.otherCa });
    assert.equal(install.code, 0, install.stderr);
    const before = await box.cacheEntries();
    // Default NODE_EXTRA_CA_CERTS (the test CA): the endpoint is now untrusted. A Cloud proxy makes login refresh.
    const r = await box.tool('tsh', ['--proxy=example.teleport.sh', 'login']);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('warning'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0] ?? '', HINT);
    // The fake tsh has no cluster here, so its login fails in its own words: proof that it ran.
    assert.match(r.stderr, /^ERROR: /m, 'the installed fake tsh ran');
    assert.deepEqual(await box.cacheEntries(), before);
  });
});
