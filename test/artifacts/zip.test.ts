// Windows release zips (docs/behaviour.md item 22): a real one gives tsh.exe and tctl.exe; every hostile
// one is refused as a whole with one line naming what is wrong, and nothing is extracted from it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { STAGED_ZIP, extractZip } from '../../src/artifacts/zip.js';
import type { ExtractSpec } from '../../src/artifacts/archive.js';
import { isToolsError } from '../../src/errors.js';
import { releaseZipEntries, zip } from '../helpers/zip-writer.js';
import type { ZipEntrySpec, ZipOptions } from '../helpers/zip-writer.js';

const MiB = 1024 * 1024;
const SPEC: ExtractSpec = { entries: { 'tsh.exe': 'tsh.exe', 'tctl.exe': 'tctl.exe' }, maxEntryBytes: MiB, maxTotalBytes: 2 * MiB, format: 'zip' };
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let root: string;
let n = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tt-zip-'));
});
after(() => rm(root, { recursive: true, force: true }));

async function staged(bytes: Buffer): Promise<string> {
  const dir = join(root, String(n++));
  await mkdir(dir);
  await writeFile(join(dir, STAGED_ZIP), bytes);
  return dir;
}

/** The release's own entries with `change` applied to the one named `name` (or `extra` added). */
function release(change: (e: ZipEntrySpec) => ZipEntrySpec = (e) => e, extra: ZipEntrySpec[] = []): ZipEntrySpec[] {
  return [...releaseZipEntries('17.0.1').map(change), ...extra];
}

async function refused(entries: ZipEntrySpec[] | Buffer, expected: RegExp, options: ZipOptions = {}): Promise<void> {
  const dir = await staged(Buffer.isBuffer(entries) ? entries : zip(entries, options));
  await assert.rejects(extractZip(dir, SPEC), (err: unknown) => {
    assert.ok(isToolsError(err, 'EARCHIVE'), String(err));
    assert.match(err.message, /^refusing archive: /);
    assert.match(err.message, expected);
    assert.ok(!err.message.includes('\n'), 'one line');
    return true;
  });
  assert.deepEqual((await readdir(dir)).filter((f) => f !== STAGED_ZIP).sort(), [], 'nothing extracted');
}

const named = (name: string, as: string) => (e: ZipEntrySpec): ZipEntrySpec => (e.name === name ? { ...e, name: as } : e);

describe('Windows release zip', () => {
  it('extracts only tsh.exe and tctl.exe, with their SHA-256, and removes the zip', async () => {
    const dir = await staged(zip(release()));
    const got = await extractZip(dir, SPEC);
    assert.deepEqual((await readdir(dir)).sort(), ['tctl.exe', 'tsh.exe']);
    assert.equal(await readFile(join(dir, 'tsh.exe'), 'utf8'), 'fake tsh.exe 17.0.1');
    assert.deepEqual(got.files, { 'tsh.exe': sha('fake tsh.exe 17.0.1'), 'tctl.exe': sha('fake tctl.exe 17.0.1') });
  });

  it('reads stored entries, Unix-made regular files and ZIP64 size fields that tell the truth', async () => {
    const body = 'x'.repeat(1000);
    const dir = await staged(zip(release((e) => (e.name === 'tsh.exe' ? { ...e, content: body, method: 0, dosAttributes: undefined, unixMode: 0o100755, zip64: { uncompressedSize: 1000, compressedSize: 1000 } } : e))));
    assert.equal((await extractZip(dir, SPEC)).files['tsh.exe'], sha(body));
  });

  it('refuses names that leave the destination', async () => {
    await refused(release(named('README.md', '/etc/evil')), /entry "\/etc\/evil" has an absolute path/);
    await refused(release(named('README.md', '\\Windows\\evil.dll')), /entry "\\\\Windows\\\\evil\.dll" has an absolute path/);
    await refused(release(named('README.md', 'C:\\Windows\\evil.dll')), /has a drive letter/);
    await refused(release(named('README.md', 'c:evil.dll')), /has a drive letter/);
    await refused(release(named('README.md', '../evil.exe')), /entry "\.\.\/evil\.exe" contains "\.\."/);
    await refused(release(named('README.md', '..\\evil.exe')), /contains "\.\."/);
    await refused(release(named('README.md', 'docs\\..\\..\\evil.exe')), /contains "\.\."/);
    await refused(release(named('tsh.exe', 'tsh.exe:hidden')), /contains ":"/);
  });

  it('refuses links, devices and reparse points, wanted or not', async () => {
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, dosAttributes: undefined, unixMode: 0o120777, content: 'C:\\Windows\\system32\\cmd.exe' } : e)), /entry "tsh\.exe" is a symbolic link/);
    await refused(release((e) => (e.name === 'README.md' ? { ...e, dosAttributes: undefined, unixMode: 0o120777, content: '../../x' } : e)), /entry "README\.md" is a symbolic link/);
    await refused(release((e) => (e.name === 'VERSION' ? { ...e, dosAttributes: undefined, unixMode: 0o020644 } : e)), /is a character device/);
    await refused(release((e) => (e.name === 'tctl.exe' ? { ...e, dosAttributes: 0x420 } : e)), /entry "tctl\.exe" is a reparse point \(link\)/);
    await refused(release(named('tsh.exe', 'tsh.exe/'), [{ name: 'tsh.exe', content: 'x', dosAttributes: 0x10 }]), /tsh\.exe is a directory, not a regular file/);
  });

  it('refuses duplicate names, also when only their case differs', async () => {
    await refused(release(undefined, [{ name: 'tsh.exe', content: 'second' }]), /"tsh\.exe" appears more than once/);
    await refused(release(undefined, [{ name: 'TSH.EXE', content: 'second' }]), /"TSH\.EXE" appears more than once/);
    await refused(release(undefined, [{ name: 'readme.md', content: 'second' }]), /appears more than once/);
  });

  it('refuses a central directory that disagrees with the local headers', async () => {
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, local: { name: Buffer.from('evil.exe') } } : e)), /entry "tsh\.exe": the local header's name "evil\.exe" disagrees/);
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, local: { uncompressedSize: 5 } } : e)), /local header's size disagrees/);
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, local: { method: 0 } } : e)), /local header's compression method disagrees/);
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, local: { crc: 1 } } : e)), /local header's CRC-32 disagrees/);
  });

  it('refuses size lies, CRC lies and bombs over the caps', async () => {
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, central: { uncompressedSize: 3 }, local: { uncompressedSize: 3 } } : e)), /not a valid zip \(too many bytes/);
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, central: { uncompressedSize: 100 }, local: { uncompressedSize: 100 } } : e)), /not a valid zip \(not enough bytes/);
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, central: { crc: 7 }, local: { crc: 7 } } : e)), /entry "tsh\.exe" fails its CRC-32 check/);
    // 64 MiB of zeros deflate to ~64 KiB: the declared size is over the 1 MiB cap.
    await refused(release(undefined, [{ name: 'bomb.bin', content: Buffer.alloc(64 * MiB) }]), /entry "bomb\.bin" is 67108864 bytes, over the 1048576-byte limit/);
    // The same bomb as tsh.exe, declaring 10 bytes: the reader stops at the 11th. (Entries not wanted
    // are never inflated: only their declared sizes count.)
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, content: Buffer.alloc(64 * MiB), central: { uncompressedSize: 10 }, local: { uncompressedSize: 10 } } : e)), /not a valid zip \(too many bytes/);
    const under = Buffer.alloc(MiB - 10);
    await refused(release(undefined, [1, 2, 3].map((i) => ({ name: `part${i}.bin`, content: under }))), /it decompresses to more than 2097152 bytes/);
  });

  it('refuses ZIP64 lies', async () => {
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, zip64: { uncompressedSize: 2 ** 40, compressedSize: 19 } } : e)), /entry "tsh\.exe" is 1099511627776 bytes, over/);
    await refused(release(), /not a valid zip/, { zip64End: { locatorOffset: 3 } });
  });

  it('refuses a record offset past the end of the file, which used to end the process (found by fuzz/targets/zip.ts)', async () => {
    // Past 2^53, yauzl's own reader handed the offset to fs.read, which threw where no caller catches it.
    await refused(release(), /not a valid zip \(it points past its own end: bytes \d+ to \d+ of a 643-byte file\)/, { zip64End: { locatorOffset: 2 ** 62 } });
    await refused(release(), /not a valid zip \(it points past its own end: bytes 1099511627776 to 1099511627832 of a 643-byte file\)/, { zip64End: { locatorOffset: 2 ** 40 } });
  });

  it('refuses encrypted entries and unknown compression', async () => {
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, flags: 0x0801 } : e)), /entry "tsh\.exe" is encrypted/);
    await refused(release((e) => (e.name === 'README.md' ? { ...e, flags: 0x0841 } : e)), /encryption/);
    await refused(release((e) => (e.name === 'tsh.exe' ? { ...e, method: 99 } : e)), /uses compression method 99/);
  });

  it('refuses a truncated zip, one that claims more entries than it has, and files that are not zips', async () => {
    await refused(release(), /not a valid zip/, { truncate: 10 });
    await refused(release(), /not a valid zip/, { truncate: 200 });
    await refused(release(), /not a valid zip/, { claimedEntries: 9 });
    await refused(Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>\n'), /not a valid zip/);
    await refused(Buffer.alloc(0), /not a valid zip/);
  });

  it('refuses a zip without tctl.exe', async () => {
    await refused(release().filter((e) => e.name !== 'tctl.exe'), /^refusing archive: it has no tctl\.exe$/);
  });
});
