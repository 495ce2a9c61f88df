// Hostile archives, end to end: served as v13.3.0 with a checksum that matches them (the CDN itself is
// compromised), each is refused as a whole with one warning naming what is wrong, or installed when
// harmless. Module-level checks of the same archives: test/artifacts/archive.test.ts.
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { ESCAPE_PATHS, hostileArchive } from '../helpers/hostile-archives.js';
import type { HostileName } from '../helpers/hostile-archives.js';
import { releaseEntries } from '../helpers/release-layout.js';
import { targz } from '../helpers/tar-writer.js';
import { release } from '../launcher/world.js';
import type { Scene } from './support.js';
import { TIMEOUT, V2, assertFailedOpen, assertUpdated, baseline, scene, updateWarning, updateWarningLike } from './support.js';

const refusing = (detail: string): string => updateWarning(`refusing archive: ${detail}`);

interface Case {
  name: string;
  /** The archive's bytes. */
  archive: () => Promise<Buffer>;
  /** The warning, or `installed` for an oddity that is harmless. */
  expect: string | RegExp | 'installed';
}

const hostile = (name: HostileName) => () => hostileArchive(name, V2);

/** tsh as a hard link to a file outside the archive. */
function hardlinkOutside(): Buffer {
  const entries = releaseEntries({ version: V2 }).map((e) =>
    e.path === 'teleport/tsh' ? { path: e.path, type: 'hardlink' as const, linkpath: '/etc/passwd', mode: 0o755 } : e);
  return targz(entries);
}

/** The real archive followed by bytes that are not another gzip member. */
async function garbageAfterGzip(): Promise<Buffer> {
  const real = await readFile((await release(V2)).archivePath);
  return Buffer.concat([real, Buffer.from('<html>trailing junk from a broken mirror</html>\n'.repeat(64))]);
}

const CASES: Case[] = [
  { name: '".." entry', archive: hostile('dotdot'), expect: refusing(`entry "teleport/../../${ESCAPE_PATHS.dotdotName}" contains ".."`) },
  { name: '".." hidden in a GNU long name', archive: hostile('long-name-dotdot'),
    expect: refusing(`entry "teleport/examples/${'a'.repeat(120)}/../../../../${ESCAPE_PATHS.dotdotName}" contains ".."`) },
  { name: 'absolute path', archive: hostile('absolute'), expect: refusing(`entry "${ESCAPE_PATHS.absolute}" has an absolute path`) },
  { name: 'tsh a symlink inside the archive', archive: hostile('symlink-inside'), expect: refusing('teleport/tsh is a SymbolicLink -> tctl, not a regular file') },
  { name: 'tsh a symlink outside (/etc/passwd)', archive: hostile('symlink-outside'), expect: refusing('teleport/tsh is a SymbolicLink -> /etc/passwd, not a regular file') },
  { name: 'tsh a hard link inside the archive', archive: hostile('hardlink'), expect: refusing('teleport/tsh is a Link -> teleport/tctl, not a regular file') },
  { name: 'tsh a hard link outside (/etc/passwd)', archive: async () => hardlinkOutside(), expect: refusing('teleport/tsh is a Link -> /etc/passwd, not a regular file') },
  { name: 'tsh a character device', archive: hostile('chardev'), expect: refusing('teleport/tsh is a CharacterDevice, not a regular file') },
  { name: 'tsh a block device', archive: hostile('blockdev'), expect: refusing('teleport/tsh is a BlockDevice, not a regular file') },
  { name: 'tsh a FIFO', archive: hostile('fifo'), expect: refusing('teleport/tsh is a FIFO, not a regular file') },
  { name: 'tsh twice', archive: hostile('duplicate'), expect: refusing('teleport/tsh appears more than once') },
  { name: 'tsh a directory', archive: hostile('tsh-dir'), expect: refusing('teleport/tsh is a Directory, not a regular file') },
  { name: 'no tsh', archive: hostile('missing-tsh'), expect: refusing('it has no teleport/tsh') },
  { name: 'no tctl', archive: hostile('missing-tctl'), expect: refusing('it has no teleport/tctl') },
  { name: 'decompression bomb (3 GiB of zeros)', archive: hostile('bomb'),
    expect: refusing('entry "teleport/examples/zeros.img" is 3221225472 bytes, over the 1 GiB limit') },
  { name: 'huge declared size', archive: hostile('huge-declared-size'), expect: refusing('entry "teleport/tsh" is 2147483648 bytes, over the 1 GiB limit') },
  { name: 'not gzip at all (a captive portal page)', archive: hostile('not-gzip'), expect: refusing('it is not a valid gzip stream (incorrect header check)') },
  { name: 'trailing garbage after the gzip stream', archive: garbageAfterGzip,
    expect: updateWarningLike('refusing archive: it is not a valid gzip stream \\(incorrect header check\\)( \\(at entry "[^"]+"\\))?') },
  { name: 'tar truncated mid-entry (inside a complete gzip stream)', archive: hostile('truncated-tar'),
    expect: updateWarningLike('refusing archive: TAR_BAD_ARCHIVE: Truncated input \\(needed \\d+ more bytes, only 100 available\\) \\(at entry "teleport/tsh"\\)') },
  { name: 'gzip truncated mid-entry', archive: hostile('truncated-gzip'),
    expect: refusing('it is not a valid gzip stream (unexpected end of file) (at entry "teleport/tsh")') },
  { name: 'garbage after the tar end blocks (ignored by tar, as by GNU tar)', archive: hostile('trailing-garbage'), expect: 'installed' },
];

async function check(s: Scene, c: Case): Promise<void> {
  s.w.cdn.serveArchive(s.name, await c.archive());
  const base = await baseline(s);
  const r = await s.login();
  if (c.expect === 'installed') await assertUpdated(s, base, r);
  else await assertFailedOpen(s, base, r, c.expect);
}

describe('hostile archives through tsh login', { concurrency: true }, () => {
  for (const c of CASES) {
    test(c.name, TIMEOUT, async (t) => check(await scene(t), c));
  }
});
