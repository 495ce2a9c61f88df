// Sixteen launchers started together on an empty home: one download, all run the same version.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VERSION_PATH } from '../helpers/cdn-server.js';
import { world } from './world.js';

describe('concurrent first runs', () => {
  test('sixteen launchers at once download the archive once and all succeed', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    const archive = await w.archivePath('13.2.3');
    // Hold the archive until the first download has begun, so the others really start on an empty cache.
    const gate = w.cdn.gate(archive);
    const runs = Array.from({ length: 16 }, (_, i) => w.sb.tool(i % 2 ? 'tctl' : 'tsh', ['version']));
    await gate.arrived(1);
    gate.release();
    const results = await Promise.all(runs);
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /v13\.2\.3/);
    }
    assert.equal(w.cdn.count(archive), 1);
    assert.equal(w.cdn.count(`${archive}.sha256`), 1);
    assert.ok(w.cdn.count(VERSION_PATH) >= 1);
    const waited = results.filter((r) => /waiting for it to finish/.test(r.stderr)).length;
    assert.ok(waited >= 1, 'at least one launcher should have said it was waiting');
    for (const r of results) assert.ok((r.stderr.match(/waiting for it to finish/g) ?? []).length <= 1, 'waiting is said once');
    assert.deepEqual((await w.sb.cacheEntries()).filter((e) => e !== '.lock'), ['13.2.3']);
  });
});
