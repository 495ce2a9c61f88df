// Broken or lying `.sha256` files for v13.3.0, end to end: a wrong digest is a checksum mismatch with
// both digests shown; anything that is not one coreutils line is refused before the archive is fetched.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { release } from '../launcher/world.js';
import type { Scene } from './support.js';
import { TIMEOUT, V2, assertFailedOpen, assertUpdated, baseline, scene, updateWarning } from './support.js';

/** What the CDN serves: the archive's name and real digest, and the checksum file's body. */
interface Served {
  name: string;
  sha256: string;
  body: string;
}

interface Case {
  name: string;
  /** The body of the `.sha256` file, given the archive's name and real digest. */
  body: (name: string, sha256: string) => string;
  /** The warning; `installed` when the file is fine after all. */
  expect: ((x: Served) => string) | 'installed';
  /** Whether the archive is downloaded at all. */
  fetchesArchive: boolean;
}

const WRONG = 'a'.repeat(64);
const malformed = (name: string, shown: string): string => updateWarning(`checksum file for ${name} is not "<64 hex>  <file name>": ${shown}`);
/** A long body is shown as its first 80 characters. */
const cut = (body: string): string => `"${body.slice(0, 80)}…"`;

const CASES: Case[] = [
  { name: 'wrong digest', body: (name) => `${WRONG}  ${name}\n`, fetchesArchive: true,
    expect: ({ name, sha256 }) => updateWarning(`checksum mismatch for ${name}: expected ${WRONG}, got ${sha256}`) },
  { name: 'empty', body: () => '', fetchesArchive: false, expect: ({ name }) => malformed(name, '""') },
  { name: 'an HTML page', body: () => '<html><body>Not found</body></html>\n', fetchesArchive: false,
    expect: ({ name }) => malformed(name, '"<html><body>Not found</body></html>\\n"') },
  { name: 'a short digest (63 hex digits)', body: (name, sha256) => `${sha256.slice(1)}  ${name}\n`, fetchesArchive: false,
    expect: ({ name, body }) => malformed(name, cut(body)) },
  { name: 'extra lines', body: (name, sha256) => `${sha256}  ${name}\n${sha256}  teleport-v0.0.1-linux-amd64-bin.tar.gz\n`, fetchesArchive: false,
    expect: ({ name, body }) => updateWarning(`checksum file for ${name} must be one line, got 2 lines: ${cut(body)}`) },
  { name: 'upper-case hex (accepted: coreutils accepts it too)', body: (name, sha256) => `${sha256.toUpperCase()}  ${name}\n`, fetchesArchive: true, expect: 'installed' },
];

async function check(s: Scene, c: Case): Promise<void> {
  const { sha256 } = await release(V2);
  const body = c.body(s.name, sha256);
  s.w.cdn.behave(`${s.path}.sha256`, { kind: 'body', body });
  const base = await baseline(s);
  const r = await s.login();
  if (c.expect === 'installed') await assertUpdated(s, base, r);
  else await assertFailedOpen(s, base, r, c.expect({ name: s.name, sha256, body }));
  assert.equal(s.w.cdn.count(s.path), c.fetchesArchive ? 1 : 0, 'archive requests');
}

describe('broken checksum files through tsh login', { concurrency: true }, () => {
  for (const c of CASES) {
    test(c.name, TIMEOUT, async (t) => check(await scene(t), c));
  }
});
