import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { DEFAULT_LIMITS, extractEntries } from '../../src/artifacts/archive.js';
import type { ExtractSpec } from '../../src/artifacts/archive.js';
import { isToolsError } from '../../src/errors.js';
import { ESCAPE_PATHS, HOSTILE_NAMES, hostileArchives } from '../helpers/hostile-archives.js';
import type { HostileName } from '../helpers/hostile-archives.js';
import { releaseEntries } from '../helpers/release-layout.js';
import type { TarEntry } from '../helpers/tar-writer.js';
import { gzip, tar, targz } from '../helpers/tar-writer.js';
import { entries, tempDir } from './support.js';

const VERSION = '13.2.3';
const TOOLS_SPEC: ExtractSpec = { entries: { 'teleport/tsh': 'tsh', 'teleport/tctl': 'tctl' }, ...DEFAULT_LIMITS };

/** What each refused archive must say: the offending entry by name. */
const REFUSALS: Record<Exclude<HostileName, 'trailing-garbage' | 'dot-slash' | 'long-name'>, string | RegExp> = {
  dotdot: `refusing archive: entry "teleport/../../${ESCAPE_PATHS.dotdotName}" contains ".."`,
  absolute: `refusing archive: entry "${ESCAPE_PATHS.absolute}" has an absolute path`,
  'symlink-inside': 'refusing archive: teleport/tsh is a SymbolicLink -> tctl, not a regular file',
  'symlink-outside': 'refusing archive: teleport/tsh is a SymbolicLink -> /etc/passwd, not a regular file',
  hardlink: 'refusing archive: teleport/tsh is a Link -> teleport/tctl, not a regular file',
  chardev: 'refusing archive: teleport/tsh is a CharacterDevice, not a regular file',
  blockdev: 'refusing archive: teleport/tsh is a BlockDevice, not a regular file',
  fifo: 'refusing archive: teleport/tsh is a FIFO, not a regular file',
  duplicate: 'refusing archive: teleport/tsh appears more than once',
  'tsh-dir': 'refusing archive: teleport/tsh is a Directory, not a regular file',
  'missing-tsh': 'refusing archive: it has no teleport/tsh',
  'missing-tctl': 'refusing archive: it has no teleport/tctl',
  bomb: 'refusing archive: entry "teleport/examples/zeros.img" is 3221225472 bytes, over the 1 GiB limit',
  'huge-declared-size': 'refusing archive: entry "teleport/tsh" is 2147483648 bytes, over the 1 GiB limit',
  'not-gzip': 'refusing archive: it is not a valid gzip stream (incorrect header check)',
  'truncated-tar': /^refusing archive: TAR_BAD_ARCHIVE: Truncated input \(needed \d+ more bytes, only 100 available\) \(at entry "teleport\/tsh"\)$/,
  'truncated-gzip': 'refusing archive: it is not a valid gzip stream (unexpected end of file) (at entry "teleport/tsh")',
  'long-name-dotdot': /^refusing archive: entry "teleport\/examples\/a{120}\/\.\.\/\.\.\/\.\.\/\.\.\/teleport-tools-hostile-dotdot" contains "\.\."$/,
};

/** Extracts into `<root>/staging`; the caller checks what happened around it. */
async function extract(t: Parameters<typeof tempDir>[0], data: Buffer, spec: ExtractSpec = TOOLS_SPEC) {
  const root = await tempDir(t);
  const dest = join(root, 'staging');
  await mkdir(dest);
  const outcome = await extractEntries(Readable.from([data]), dest, spec).then(
    (extracted) => ({ digests: extracted.files, error: undefined }),
    (error: unknown) => ({ digests: undefined, error }),
  );
  return { root, dest, ...outcome };
}

function assertRefused(error: unknown, expected: string | RegExp): void {
  assert.ok(isToolsError(error, 'EARCHIVE'), `expected EARCHIVE, got ${String(error)}`);
  if (typeof expected === 'string') assert.equal(error.message, expected);
  else assert.match(error.message, expected);
}

async function assertNothingEscaped(root: string): Promise<void> {
  assert.deepEqual(await entries(root), ['staging'], 'nothing written beside the staging directory');
  await assert.rejects(access(ESCAPE_PATHS.absolute), `${ESCAPE_PATHS.absolute} must not exist`);
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const contentOf = (tool: string): Buffer => {
  const entry = releaseEntries({ version: VERSION }).find((e) => e.path === `teleport/${tool}`) as TarEntry;
  return Buffer.from(entry.content ?? '');
};

async function assertInstalledTools(dest: string, digests: Record<string, string> | undefined): Promise<void> {
  assert.deepEqual(await entries(dest), ['tctl', 'tsh']);
  for (const tool of ['tsh', 'tctl']) {
    const file = join(dest, tool);
    assert.ok((await readFile(file)).equals(contentOf(tool)), `${tool} holds the archive's bytes`);
    assert.equal((await stat(file)).mode & 0o7777, 0o755, `${tool} is 0755`);
    assert.equal(digests?.[tool], sha256(contentOf(tool)));
  }
}

describe('hostile archives', () => {
  const catalogue = hostileArchives(VERSION);
  for (const name of HOSTILE_NAMES) {
    const hostile = catalogue[name];
    test(`${name}: ${hostile.why} -> ${hostile.expect}`, async (t) => {
      const { root, dest, digests, error } = await extract(t, await hostile.data());
      if (hostile.expect === 'accept') {
        assert.equal(error, undefined);
        await assertInstalledTools(dest, digests);
      } else {
        assertRefused(error, REFUSALS[name as keyof typeof REFUSALS]);
        // Whatever reached staging stays there for the installer to delete; nothing got out of it.
        assert.ok((await entries(dest)).every((f) => f === 'tsh' || f === 'tctl'));
      }
      await assertNothingEscaped(root);
    });
  }
});

describe('archive extraction', () => {
  test('modes and owners come from us, never from the archive', async (t) => {
    const data = targz(releaseEntries({
      version: VERSION,
      overrides: { tsh: { mode: 0o4777, uid: 4242, gid: 4242 }, tctl: { mode: 0o600, uid: 4242 } },
    }));
    const { root, dest, digests, error } = await extract(t, data);
    assert.equal(error, undefined);
    await assertInstalledTools(dest, digests);
    for (const tool of ['tsh', 'tctl']) {
      const s = await stat(join(dest, tool));
      assert.equal(s.uid, process.getuid?.(), `${tool} belongs to the installing user`);
    }
    await assertNothingEscaped(root);
  });

  test('a hard link to a file outside the archive is refused', async (t) => {
    const data = targz(releaseEntries({ version: VERSION, overrides: { tsh: { type: 'hardlink', linkpath: '/etc/passwd', content: undefined } } }));
    const { root, error } = await extract(t, data);
    assertRefused(error, 'refusing archive: teleport/tsh is a Link -> /etc/passwd, not a regular file');
    await assertNothingEscaped(root);
  });

  test('a decompression bomb spread over entries under the entry cap is stopped by the total cap', async (t) => {
    const zeros = Buffer.alloc(1 << 20);
    const base = releaseEntries({ version: VERSION });
    const filler = [1, 2, 3, 4].map((n): TarEntry => ({ path: `teleport/examples/zeros-${n}.img`, content: zeros }));
    const data = targz([...base.slice(0, 4), ...filler, ...base.slice(4)]);
    assert.ok(data.length < 64 * 1024, 'the bomb is small on the wire');
    const { root, error } = await extract(t, data, { ...TOOLS_SPEC, maxEntryBytes: 1 << 20, maxTotalBytes: 2 << 20 });
    assertRefused(error, 'refusing archive: it decompresses to more than 2 MiB');
    await assertNothingEscaped(root);
  });

  test('a wanted entry over the entry cap is refused by name before any byte is written', async (t) => {
    const data = targz(releaseEntries({ version: VERSION, overrides: { tsh: { content: Buffer.alloc(70_000, 'x') } } }));
    const { root, dest, error } = await extract(t, data, { ...TOOLS_SPEC, maxEntryBytes: 65_536 });
    assertRefused(error, 'refusing archive: entry "teleport/tsh" is 70000 bytes, over the 65536 bytes limit');
    assert.ok(!(await entries(dest)).includes('tsh'));
    await assertNothingEscaped(root);
  });

  test('a header with a bad checksum (corruption) refuses the archive', async (t) => {
    const raw = tar(releaseEntries({ version: VERSION }));
    const at = raw.indexOf(Buffer.from('teleport/tsh\0'));
    assert.ok(at >= 0);
    raw[at + 100] = 0x37; // a digit of the mode field: the stored checksum no longer matches
    const { root, error } = await extract(t, gzip(raw));
    assertRefused(error, /^refusing archive: TAR_ENTRY_INVALID: checksum failure/);
    await assertNothingEscaped(root);
  });

  test('a tar compressed again inside the gzip, whole or cut short, is refused instead of never settling (found by fuzz/targets/archive.ts)', { timeout: 30_000 }, async (t) => {
    const release = tar(releaseEntries({ version: VERSION }));
    // The fuzzer's input: a second gzip header cut short, on which the extraction used to wait forever.
    for (const inner of [Buffer.from([0x1f, 0x8b, 0x00, 0x0f]), gzip(release), Buffer.from([0x1f, 0x8b])]) {
      const { root, error } = await extract(t, gzip(inner));
      assertRefused(error, 'refusing archive: the tar inside it is compressed again (a second gzip layer)');
      await assertNothingEscaped(root);
    }
    // zstd's magic, whole or alone, and fewer bytes than any header: not a tar.
    for (const inner of [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from([0x1f]), Buffer.alloc(0)]) {
      const { root, error } = await extract(t, gzip(inner));
      assertRefused(error, /^refusing archive: /);
      await assertNothingEscaped(root);
    }
  });

  test('enterprise archives: only the teleport-ent/ top folder counts', async (t) => {
    const ent = releaseEntries({ version: VERSION, edition: 'ent' });
    const decoy: TarEntry = { path: 'teleport/tsh', mode: 0o755, content: '#!/bin/sh\necho decoy\n' };
    const spec: ExtractSpec = { entries: { 'teleport-ent/tsh': 'tsh', 'teleport-ent/tctl': 'tctl' }, ...DEFAULT_LIMITS };
    const { dest, digests, error } = await extract(t, targz([decoy, ...ent]), spec);
    assert.equal(error, undefined);
    const tsh = ent.find((e) => e.path === 'teleport-ent/tsh') as TarEntry;
    assert.equal(await readFile(join(dest, 'tsh'), 'utf8'), tsh.content);
    assert.equal(digests?.tsh, sha256(tsh.content ?? ''));

    const oss = await extract(t, targz(releaseEntries({ version: VERSION })), spec);
    assertRefused(oss.error, 'refusing archive: it has no teleport-ent/tsh, teleport-ent/tctl');
  });

  test('the agent binary alone, for Connect My Computer', async (t) => {
    const spec: ExtractSpec = { entries: { 'teleport/teleport': 'teleport' }, ...DEFAULT_LIMITS };
    const { dest, error } = await extract(t, targz(releaseEntries({ version: VERSION })), spec);
    assert.equal(error, undefined);
    assert.deepEqual(await entries(dest), ['teleport']);
    assert.equal((await stat(join(dest, 'teleport'))).mode & 0o777, 0o755);
  });

  test('entries outside the request are never written, however they are named', async (t) => {
    const extra: TarEntry[] = [
      { path: 'teleport/tsh.bak', content: 'x' },
      { path: 'tsh', content: 'x' },
      { path: 'teleport/examples/tsh', content: 'x' },
    ];
    const { dest, digests, error } = await extract(t, targz(releaseEntries({ version: VERSION, extraEntries: extra })));
    assert.equal(error, undefined);
    await assertInstalledTools(dest, digests);
  });
});
