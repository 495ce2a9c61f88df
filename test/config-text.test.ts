import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { parseSimpleConfig } from '../src/config-text.js';

/** Read without the yaml package, and the same as the yaml package reads them. */
const SIMPLE = [
  '',
  '# just a comment\n',
  'disable_auto_updates: true\n',
  'disable_auto_updates: FALSE\nedition: ent\n',
  'version_url: https://updates.example.com:8443/v1/stable/cloud/client-version?x=1&y=%20\n',
  'cloud_proxy_suffixes:\n  - .teleport.sh\n  - .corp.example\n',
  'cloud_proxy_suffixes:\n- .teleport.sh\n',
  'cloud_proxy_suffixes: [.teleport.sh, .example.com]\n',
  'cloud_proxy_suffixes: []\n',
  '# header\n\nedition: oss\n\n# between\nusage_reporting: false',
  'version: 13.2.3\n',
  'edition: auto\nfollow_cluster_version: true\nfips: false\n',
];

/** Outside the subset: the caller asks the yaml package, whose answer or error stands. */
const OTHERS = [
  'edition: "ent"\n', "edition: 'ent'\n", 'edition: ent # trailing comment\n', 'edition: ent  \n',
  'edition:\tent\n', 'edition: ent\r\n', '\uFEFFedition: ent\n', '---\nedition: ent\n',
  'edition:\n', 'edition: ~\n', 'edition: null\n', 'edition: 12\n', 'edition: 1.5\n', 'edition: 0x1f\n',
  'edition: .inf\n', 'edition: 1e3\n', 'edition: .\n', 'edition: a:\n', 'edition: -x\n', 'edition: *x\n',
  'edition: &a x\n', 'edition: !!str x\n', 'edition: [a: b]\n', 'edition: [a, [b]]\n', 'edition: {a: b}\n',
  'edition: ent\nedition: oss\n', '  edition: ent\n', 'list:\n  - a\n    - b\n', 'list:\n  - a\n - b\n',
  'list:\n  - a b\n', 'a b: c\n', '"edition": ent\n', 'edition: |\n  ent\n', 'edition: ent\n  more\n',
  '- a\n', 'key: [unclosed\n',
];

describe('tools.yaml without the yaml package', () => {
  test('the simple subset reads exactly as yaml reads it', () => {
    for (const text of SIMPLE) {
      const ours = parseSimpleConfig(text);
      assert.notEqual(ours, undefined, JSON.stringify(text));
      assert.deepEqual(ours, parse(text) ?? {}, JSON.stringify(text));
    }
  });

  test('anything else is left to the yaml package', () => {
    for (const text of OTHERS) assert.equal(parseSimpleConfig(text), undefined, JSON.stringify(text));
  });

  test('what `teleport-tools config set` writes is in the subset', () => {
    const written = stringify({
      disable_auto_updates: true,
      version_url: 'https://updates.example.com/v1/stable/cloud/client-version',
      cdn_base_url: 'https://cdn.example.com',
      edition: 'ent',
      cloud_proxy_suffixes: ['.teleport.sh', '.corp.example'],
      usage_reporting: false,
    });
    assert.deepEqual(parseSimpleConfig(written), parse(written));
  });

  test('a key named __proto__ is an own key, not a prototype', () => {
    const ours = parseSimpleConfig('__proto__: x\n');
    assert.deepEqual(Object.keys(ours ?? {}), ['__proto__']);
    assert.equal(Object.getPrototypeOf(ours), Object.prototype);
  });
});
