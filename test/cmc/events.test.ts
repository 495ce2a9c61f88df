// Usage events: none unless usage_reporting is on; then RFD 0133's names, in a local file only, with
// the cluster and user names replaced by HMAC-SHA256 under the install's random key.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fixture, interrupt, share, tree } from './support.js';

interface EventLine {
  event: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

describe('usage events', { concurrency: true }, () => {
  test('are off by default: nothing is written', async (t) => {
    const { sb } = await fixture(t);
    assert.equal((await sb.cmc(['setup'])).code, 0);
    await interrupt((await share(sb)).run);
    assert.deepEqual((await tree(sb.userData)).filter((p) => p.includes('usage')), []);
  });

  test('with usage_reporting: true, setup (failed step, success) and agentStart, anonymised', async (t) => {
    const { world, sb } = await fixture(t);
    const set = await sb.cli(['config', 'set', 'usage_reporting', 'true']);
    assert.equal(set.code, 0, set.stderr);
    await sb.cluster.setFaults({ denyTokenCreate: true });
    assert.equal((await sb.cmc(['setup'])).code, 1);
    await sb.cluster.setFaults({});
    assert.equal((await sb.cmc(['setup'])).code, 0);
    await interrupt((await share(sb)).run);

    const file = join(sb.userData, 'teleport-tools-usage-events.jsonl');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const keyFile = join(sb.userData, 'teleport-tools-usage.key');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const text = await readFile(file, 'utf8');
    for (const secret of ['alice', 'fake.example.com']) assert.ok(!text.includes(secret), `${secret} must not be in the file`);
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as EventLine);
    const key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'hex');
    assert.equal(key.length, 32);
    const hmac = (v: string) => createHmac('sha256', key).update(v).digest('hex');
    const who = { 'tp.cluster_name': hmac('fake.example.com'), 'tp.user_name': hmac('alice') };
    assert.deepEqual(
      events.map((e) => ({ event: e.event, properties: e.properties })),
      [
        { event: 'connect.connectMyComputer.setup', properties: { ...who, success: false, failedStep: 'generating_config_file' } },
        { event: 'connect.connectMyComputer.setup', properties: { ...who, success: true } },
        { event: 'connect.connectMyComputer.agentStart', properties: who },
      ],
    );
    for (const e of events) assert.ok(!Number.isNaN(Date.parse(e.timestamp)));
    // Nothing was sent: the only requests the proxy saw are pings, tsh login's find and downloads.
    const paths = new Set(world.cdn.requests.map((r) => r.path));
    for (const p of paths) assert.match(p, /^\/(webapi\/ping|webapi\/find|teleport-v.*)$/);
  });
});
