// What the version endpoint may answer, end to end: a plain X.Y.Z with an optional `v` and surrounding
// white space (a byte-order mark and CRLF count as white space) installs; anything else is refused
// before any other request and never becomes a path.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VERSION_PATH } from '../helpers/cdn-server.js';
import type { Scene } from './support.js';
import { TIMEOUT, V2, assertFailedOpen, assertUpdated, baseline, scene, updateWarning } from './support.js';

interface Case {
  name: string;
  body: string | Buffer;
  /** The warning's detail after the endpoint's URL, or `installed`. */
  expect: string | 'installed';
}

const CASES: Case[] = [
  { name: 'an HTML page', body: '<!DOCTYPE html><html><body>Scheduled maintenance</body></html>\n',
    expect: 'did not answer a version (got "<!DOCTYPE html><html><body>Scheduled mai"…)' },
  { name: '1 MB', body: Buffer.alloc(1 << 20, '1'), expect: 'sent 1048576 bytes; at most 256 expected' },
  { name: 'a path (../../etc/passwd)', body: '../../etc/passwd', expect: 'did not answer a version (got "../../etc/passwd")' },
  { name: 'a shell injection (13.2.3; rm -rf /)', body: '13.2.3; rm -rf /', expect: 'did not answer a version (got "13.2.3; rm -rf /")' },
  { name: 'two components (v1.2)', body: 'v1.2\n', expect: 'did not answer a version (got "v1.2")' },
  { name: 'a pre-release (v13.3.0-rc.1)', body: 'v13.3.0-rc.1\n', expect: 'did not answer a version (got "v13.3.0-rc.1")' },
  { name: 'empty', body: '', expect: 'did not answer a version (got "")' },
  { name: 'a byte-order mark (accepted)', body: `\uFEFFv${V2}\n`, expect: 'installed' },
  { name: 'CRLF (accepted)', body: `v${V2}\r\n`, expect: 'installed' },
];

async function check(s: Scene, c: Case): Promise<void> {
  s.w.cdn.behave(VERSION_PATH, { kind: 'body', body: c.body });
  const base = await baseline(s);
  const r = await s.login();
  if (c.expect === 'installed') return assertUpdated(s, base, r);
  await assertFailedOpen(s, base, r, updateWarning(`${s.w.cdn.versionUrl} ${c.expect}`));
  assert.deepEqual(s.w.cdn.requests.map((q) => q.path), [VERSION_PATH], 'nothing requested but the version');
}

describe('version endpoint bodies through tsh login', { concurrency: true }, () => {
  for (const c of CASES) {
    test(c.name, TIMEOUT, async (t) => check(await scene(t), c));
  }
});
