// config-text.ts must read a file exactly as the yaml package does whenever it reads it at all. Found
// by the config-text fuzz target: `cs: [\f]` read as an empty list, while yaml reads ["\f"] (String
// trim() took the form feed for white space; in YAML it is text).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseSimpleConfig } from '../../src/config-text.js';

const AROUND = ['\f', '\v', '\u00a0', '\u2028', '\u3000', '\u0085'];

test('config-text: a form feed (or another non-space blank) in a flow list is text, as yaml reads it, or left to yaml', () => {
  for (const blank of AROUND) {
    for (const text of [`cs: [${blank}]`, `cs: [a${blank}]`, `cs: [${blank}a, b]`, `cs: [a, ${blank}]`]) {
      const ours = parseSimpleConfig(text);
      if (ours === undefined) continue;
      assert.deepEqual(ours, parse(text), JSON.stringify(text));
    }
  }
  assert.deepEqual(parseSimpleConfig('cs: [ a ,  b ]'), { cs: ['a', 'b'] });
  assert.deepEqual(parseSimpleConfig('cs: [  ]'), { cs: [] });
});
