/**
 * The rules every entry of a Windows release zip must pass before anything is extracted, read from the
 * central directory and checked against the entry's local header (docs/behaviour.md item 22). Any entry
 * that breaks one, wanted or not, refuses the whole zip: its name could escape the destination (absolute,
 * a drive letter, `..` with either slash, a stream name), it is a link or a device, it is encrypted, it
 * is there twice (Windows names ignore case), it declares more than the caps, or its two headers disagree.
 */
import { archiveError } from './tar-entry.js';

/** What the central directory says about one entry. */
export interface ZipEntryMeta {
  /** The name as decoded (UTF-8 flag, or the Info-ZIP Unicode path field, else CP437). */
  name: string;
  /** The raw name bytes, decoded as Latin-1, which a tool ignoring the Unicode field would use. */
  rawName: string;
  generalPurposeBitFlag: number;
  compressionMethod: number;
  externalFileAttributes: number;
  /** 3: Unix, whose attributes carry a file type. */
  madeBy: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

/** What the local header says (sizes and CRC are zero there when a data descriptor follows: bit 3). */
export interface ZipLocalMeta {
  rawName: string;
  generalPurposeBitFlag: number;
  compressionMethod: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

const ENCRYPTED = 0x1;
const DATA_DESCRIPTOR = 0x8;
const STRONG_ENCRYPTION = 0x40;
const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const TYPES: Readonly<Record<number, string>> = { 0o120000: 'symbolic link', 0o020000: 'character device', 0o060000: 'block device', 0o010000: 'FIFO', 0o140000: 'socket' };
/** MS-DOS attribute bits: directory, and reparse point (how a Windows zipper stores a link). */
const DOS_DIRECTORY = 0x10;
const DOS_REPARSE_POINT = 0x400;

const shown = (name: string): string => JSON.stringify(name);

/** Refuses names that could land outside the destination on Windows or Unix. */
export function checkZipName(name: string): void {
  if (name === '' || name.includes('\0')) throw archiveError(`entry ${shown(name)} has an empty or NUL-containing name`);
  if (/^[\\/]/.test(name)) throw archiveError(`entry ${shown(name)} has an absolute path`);
  if (/^[A-Za-z]:/.test(name)) throw archiveError(`entry ${shown(name)} has a drive letter`);
  if (name.split(/[\\/]/).includes('..')) throw archiveError(`entry ${shown(name)} contains ".."`);
  // `tsh.exe:stream` writes an NTFS alternate data stream; no release name has a colon.
  if (name.includes(':')) throw archiveError(`entry ${shown(name)} contains ":"`);
}

/** The kind of a non-regular entry (a link, a device, a directory), or undefined for a regular file. */
export function specialKind(meta: Pick<ZipEntryMeta, 'name' | 'externalFileAttributes' | 'madeBy'>): string | undefined {
  const attrs = meta.externalFileAttributes >>> 0;
  if (meta.madeBy === UNIX) {
    const type = (attrs >>> 16) & S_IFMT;
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) return TYPES[type] ?? `file of type 0${type.toString(8)}`;
    if (type === S_IFDIR) return 'directory';
  }
  if (attrs & DOS_REPARSE_POINT) return 'reparse point (link)';
  if (attrs & DOS_DIRECTORY || /[\\/]$/.test(meta.name)) return 'directory';
  return undefined;
}

export interface ZipCaps {
  maxEntryBytes: number;
  maxTotalBytes: number;
  maxEntries: number;
}

/** Checks one central-directory entry; `seen` (lower-cased names) and `total` carry across entries. */
export function checkZipEntry(meta: ZipEntryMeta, caps: ZipCaps, seen: Set<string>, total: { bytes: number }): void {
  for (const name of new Set([meta.name, meta.rawName])) checkZipName(name);
  if (seen.size >= caps.maxEntries) throw archiveError(`it has more than ${caps.maxEntries} entries`);
  const key = meta.name.replaceAll('\\', '/').toLowerCase();
  if (seen.has(key)) throw archiveError(`${shown(meta.name)} appears more than once`);
  seen.add(key);
  const special = specialKind(meta);
  if (special && special !== 'directory') throw archiveError(`entry ${shown(meta.name)} is a ${special}`);
  if (meta.generalPurposeBitFlag & (ENCRYPTED | STRONG_ENCRYPTION)) throw archiveError(`entry ${shown(meta.name)} is encrypted`);
  if (meta.compressionMethod !== 0 && meta.compressionMethod !== 8) {
    throw archiveError(`entry ${shown(meta.name)} uses compression method ${meta.compressionMethod} (only stored and deflated entries are read)`);
  }
  if (meta.uncompressedSize > caps.maxEntryBytes) {
    throw archiveError(`entry ${shown(meta.name)} is ${meta.uncompressedSize} bytes, over the ${caps.maxEntryBytes}-byte limit`);
  }
  total.bytes += meta.uncompressedSize;
  if (total.bytes > caps.maxTotalBytes) throw archiveError(`it decompresses to more than ${caps.maxTotalBytes} bytes`);
}

/** The local header must tell the same story as the central directory. */
export function checkLocalHeader(meta: ZipEntryMeta, local: ZipLocalMeta): void {
  const differs = (what: string): never => {
    throw archiveError(`entry ${shown(meta.name)}: the local header's ${what} disagrees with the central directory`);
  };
  if (local.rawName !== meta.rawName) differs(`name ${shown(local.rawName)}`);
  if (local.compressionMethod !== meta.compressionMethod) differs('compression method');
  if ((local.generalPurposeBitFlag & (ENCRYPTED | STRONG_ENCRYPTION)) !== (meta.generalPurposeBitFlag & (ENCRYPTED | STRONG_ENCRYPTION))) differs('encryption flag');
  if (local.generalPurposeBitFlag & DATA_DESCRIPTOR) return;
  // 0xffffffff: the real value is in the ZIP64 extra field, which yauzl has read for the central one.
  const same = (a: number, b: number): boolean => a === b || a === 0xffffffff;
  if (!same(local.crc32, meta.crc32)) differs('CRC-32');
  if (!same(local.compressedSize, meta.compressedSize)) differs('compressed size');
  if (!same(local.uncompressedSize, meta.uncompressedSize)) differs('size');
}
