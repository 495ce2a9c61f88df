// Writes zip files byte by byte, so tests can build both real Windows release zips and every lie a hostile
// one can tell: names, Unix file types in the external attributes, flags, sizes and CRCs that differ
// between the local header and the central directory, ZIP64 records, truncation.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  name: string;
  content?: Buffer | string;
  /** Deflate (method 8, default) or store (0); any other number is written as is, data stored. */
  method?: number;
  /** Unix mode (with file type bits) in the external attributes, made by Unix. Default 0o100755. */
  unixMode?: number;
  /** MS-DOS external attributes instead (made by FAT). */
  dosAttributes?: number;
  flags?: number;
  /** Overrides of what the central directory says. */
  central?: Partial<Header>;
  /** Overrides of what the local header says. */
  local?: Partial<Header>;
  /** Write sizes as 0xffffffff with a ZIP64 extra field holding these. */
  zip64?: { uncompressedSize: number; compressedSize: number };
}

interface Header {
  name: Buffer;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
}

export interface ZipOptions {
  /** Drop the last n bytes. */
  truncate?: number;
  /** Entry count the end record claims (default: the real one). */
  claimedEntries?: number;
  /** A ZIP64 end record and locator; `locatorOffset` may lie about where the record is. */
  zip64End?: { locatorOffset?: number };
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

function zip64Extra(z: { uncompressedSize: number; compressedSize: number }): Buffer {
  return Buffer.concat([u16(0x0001), u16(16), u64(z.uncompressedSize), u64(z.compressedSize)]);
}

/** A zip holding `entries` in order. */
export function zip(entries: readonly ZipEntrySpec[], options: ZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const content = Buffer.from(e.content ?? '');
    const method = e.method ?? 8;
    const data = method === 8 ? deflateRawSync(content) : content;
    const real: Header = { name: Buffer.from(e.name), method, flags: e.flags ?? 0x0800, crc: crc32(content), compressedSize: data.length, uncompressedSize: content.length };
    const local = { ...real, ...e.local };
    const central = { ...real, ...e.central };
    const extra = e.zip64 ? zip64Extra(e.zip64) : Buffer.alloc(0);
    const sizes = (h: Header): Buffer[] => (e.zip64 ? [u32(0xffffffff), u32(0xffffffff)] : [u32(h.compressedSize), u32(h.uncompressedSize)]);
    const localHeader = Buffer.concat([u32(0x04034b50), u16(e.zip64 ? 45 : 20), u16(local.flags), u16(local.method), u16(0), u16(0x21), u32(local.crc), ...sizes(local), u16(local.name.length), u16(extra.length), local.name, extra]);
    locals.push(localHeader, data);
    const madeBy = e.dosAttributes !== undefined ? 0x0014 : 0x0314;
    const attrs = e.dosAttributes !== undefined ? e.dosAttributes : ((e.unixMode ?? 0o100755) << 16) >>> 0;
    centrals.push(Buffer.concat([u32(0x02014b50), u16(madeBy), u16(e.zip64 ? 45 : 20), u16(central.flags), u16(central.method), u16(0), u16(0x21), u32(central.crc), ...sizes(central), u16(central.name.length), u16(extra.length), u16(0), u16(0), u16(0), u32(attrs), u32(offset), central.name, extra]));
    offset += localHeader.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const count = options.claimedEntries ?? entries.length;
  const tail: Buffer[] = [];
  if (options.zip64End) {
    const recordAt = offset + cd.length;
    tail.push(Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(count), u64(count), u64(cd.length), u64(offset)]));
    tail.push(Buffer.concat([u32(0x07064b50), u32(0), u64(options.zip64End.locatorOffset ?? recordAt), u32(1)]));
  }
  tail.push(Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(Math.min(count, 0xffff)), u16(Math.min(count, 0xffff)), u32(cd.length), u32(options.zip64End ? 0xffffffff : offset), u16(0)]));
  const whole = Buffer.concat([...locals, cd, ...tail]);
  return options.truncate ? whole.subarray(0, whole.length - options.truncate) : whole;
}

/** The entries of a real Windows release zip: flat, `tsh.exe`, `tctl.exe` and three text files. */
export function releaseZipEntries(version: string, exe: (tool: string) => Buffer | string = (t) => `fake ${t}.exe ${version}`): ZipEntrySpec[] {
  return [
    { name: 'tsh.exe', content: exe('tsh'), dosAttributes: 0x20 },
    { name: 'tctl.exe', content: exe('tctl'), dosAttributes: 0x20 },
    { name: 'README.md', content: '# Teleport\n', dosAttributes: 0x20 },
    { name: 'CHANGELOG.md', content: '# Changelog\n', dosAttributes: 0x20 },
    { name: 'VERSION', content: `${version}\n`, dosAttributes: 0x20 },
  ];
}
