// The find answer and the proxy address, as units: what is used, what is refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findUrl, parseFindAnswer } from '../../src/tools/find.js';
import { isToolsError } from '../../src/errors.js';

describe('/webapi/find', () => {
  test('the proxy address becomes https://host:port/webapi/find, or nothing', () => {
    const cases: [string, string | undefined][] = [
      ['acme.teleport.sh', 'https://acme.teleport.sh:443/webapi/find'],
      ['proxy.example.com:3080', 'https://proxy.example.com:3080/webapi/find'],
      ['https://proxy.example.com:8443/web', 'https://proxy.example.com:8443/webapi/find'],
      ['proxy.example.com:443,3023', 'https://proxy.example.com:443/webapi/find'],
      ['[::1]:3080', 'https://[::1]:3080/webapi/find'],
      ['../x', undefined],
      ['', undefined],
      ['evil.example.com:99999', undefined],
      ['a b', undefined],
    ];
    for (const [address, url] of cases) assert.equal(findUrl(address), url, address);
  });

  test('answers: managed on, off, absent; pre-release server versions; anything else refused', () => {
    const on = parseFindAnswer('{"server_version":"17.0.1","edition":"ent","auto_update":{"tools_version":"17.0.1","tools_auto_update":true}}', 'x');
    assert.deepEqual(on, { serverVersion: '17.0.1', edition: 'ent', autoUpdate: { toolsAutoUpdate: true, toolsVersion: '17.0.1' } });
    const off = parseFindAnswer('{"server_version":"16.0.0-aa","auto_update":{"tools_version":"garbage","tools_auto_update":false}}', 'x');
    assert.equal(off.autoUpdate?.toolsAutoUpdate, false);
    assert.equal(off.serverVersion, '16.0.0-aa');
    assert.equal(parseFindAnswer('{"server_version":"15.4.2"}', 'x').autoUpdate, undefined);
    for (const body of ['<html>', '[]', 'null', '{"auto_update":[]}', ...['../../x', '17.0.1; rm -rf', '', '1'.repeat(1024), 'v17.0.1'].map((v) => JSON.stringify({ auto_update: { tools_auto_update: true, tools_version: v } })), '{"auto_update":{"tools_auto_update":true}}']) {
      assert.throws(() => parseFindAnswer(body, 'https://p/webapi/find'), (err) => isToolsError(err), body.slice(0, 40));
    }
  });
});
