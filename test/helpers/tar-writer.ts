// A raw tar writer for tests. node-tar refuses to write hostile archives (`..`, devices, lying sizes), so
// headers are built byte by byte here. Default format is GNU, like Teleport's release archives.
import { createCipheriv, createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'blockdev' | 'fifo';

export interface TarHeaderFields {
  /** Written as given: no normalisation, so `../x`, `/abs` and `./x` are possible. Dirs: add the `/`. */
  path: string;
  type?: TarEntryType;
  /** Default 0o755 for dirs, 0o644 otherwise. */
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Seconds since the epoch, or a Date. Default: a fixed date, so archives are reproducible. */
  mtime?: number | Date;
  linkpath?: string;
  devmajor?: number;
  devminor?: number;
  /** Emit a GNU 'L' long-name record even when the path fits in 100 bytes. */
  longName?: boolean;
}

export interface TarEntry extends TarHeaderFields {
  content?: Buffer | string;
  /** Size written in the header when it should differ from the content length. */
  declaredSize?: number;
}

/** An entry whose body is produced in chunks, for archives too big to hold in memory. */
export interface StreamEntry extends TarHeaderFields {
  size: number;
  body: () => Iterable<Buffer> | AsyncIterable<Buffer>;
}

export interface TarOptions {
  format?: 'gnu' | 'ustar';
  /** Write the two zero blocks that end an archive (default true). */
  end?: boolean;
  /** Bytes appended after everything else, e.g. garbage after the end blocks. */
  trailing?: Buffer;
}

const BLOCK = 512;
const FIXED_MTIME = Date.UTC(2023, 6, 18) / 1000;
const TYPE_FLAGS: Record<TarEntryType, string> = {
  file: '0', hardlink: '1', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6',
};

/** Octal, NUL-terminated; numbers too big for the field use GNU base-256 (needed for sizes >= 8 GiB). */
function writeNumber(block: Buffer, offset: number, width: number, value: number): void {
  const octal = Math.trunc(value).toString(8);
  if (octal.length < width) {
    block.write(octal.padStart(width - 1, '0') + '\0', offset, 'ascii');
    return;
  }
  let rest = BigInt(Math.trunc(value));
  for (let i = offset + width - 1; i > offset; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  block[offset] = 0x80;
}

function writeString(block: Buffer, offset: number, width: number, value: string): void {
  Buffer.from(value, 'utf8').copy(block, offset, 0, width);
}

function rawHeader(fields: TarHeaderFields, typeFlag: string, name: string, size: number, format: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  const type = fields.type ?? 'file';
  let prefix = '';
  if (format === 'ustar' && Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) {
      throw new Error(`path too long for ustar: ${name}`);
    }
    [prefix, name] = [name.slice(0, cut), name.slice(cut + 1)];
  }
  writeString(block, 0, 100, name);
  writeNumber(block, 100, 8, fields.mode ?? (type === 'dir' ? 0o755 : 0o644));
  writeNumber(block, 108, 8, fields.uid ?? 0);
  writeNumber(block, 116, 8, fields.gid ?? 0);
  writeNumber(block, 124, 12, size);
  const mtime = fields.mtime instanceof Date ? fields.mtime.getTime() / 1000 : fields.mtime ?? FIXED_MTIME;
  writeNumber(block, 136, 12, mtime);
  block.write(typeFlag, 156, 'ascii');
  writeString(block, 157, 100, fields.linkpath ?? '');
  block.write(format === 'gnu' ? 'ustar  \0' : 'ustar\x0000', 257, 'ascii');
  writeString(block, 265, 32, fields.uname ?? 'root');
  writeString(block, 297, 32, fields.gname ?? 'root');
  if (type === 'chardev' || type === 'blockdev') {
    writeNumber(block, 329, 8, fields.devmajor ?? 1);
    writeNumber(block, 337, 8, fields.devminor ?? 3);
  }
  writeString(block, 345, 155, prefix);
  // The checksum is computed with its own field read as spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return block;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** GNU 'L'/'K' record: the full name as the body of a pseudo-entry, read by tar as the next entry's name. */
function longRecord(kind: 'L' | 'K', value: string, fields: TarHeaderFields): Buffer {
  const body = Buffer.from(value + '\0', 'utf8');
  const header = rawHeader({ ...fields, type: 'file', mode: 0o644 }, kind, '././@LongLink', body.length, 'gnu');
  return Buffer.concat([header, body, padding(body.length)]);
}

/** The header block(s) of one entry, including any GNU long-name records before it. */
export function tarHeader(fields: TarHeaderFields, size: number, format: 'gnu' | 'ustar' = 'gnu'): Buffer {
  const parts: Buffer[] = [];
  if (format === 'gnu') {
    if (fields.longName || Buffer.byteLength(fields.path) > 100) parts.push(longRecord('L', fields.path, fields));
    if (fields.linkpath !== undefined && Buffer.byteLength(fields.linkpath) > 100) {
      parts.push(longRecord('K', fields.linkpath, fields));
    }
  }
  parts.push(rawHeader(fields, TYPE_FLAGS[fields.type ?? 'file'], fields.path, size, format));
  return Buffer.concat(parts);
}

/** An in-memory tar archive. */
export function tar(entries: readonly TarEntry[], options: TarOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content ?? Buffer.alloc(0);
    parts.push(tarHeader(entry, entry.declaredSize ?? content.length, options.format), content, padding(content.length));
  }
  if (options.end !== false) parts.push(Buffer.alloc(2 * BLOCK));
  if (options.trailing) parts.push(options.trailing);
  return Buffer.concat(parts);
}

export function gzip(data: Buffer, level = 6): Buffer {
  return gzipSync(data, { level });
}

/** `gzip(tar(entries))`. */
export function targz(entries: readonly TarEntry[], options: TarOptions = {}): Buffer {
  return gzip(tar(entries, options));
}

export interface WrittenArchive {
  /** SHA-256 of the file, lowercase hex. */
  sha256: string;
  size: number;
}

/**
 * Streams a gzip'd tar archive to `file` with bounded memory. Entries may be in-memory (`TarEntry`) or
 * chunked (`StreamEntry`); a chunked body must yield exactly `size` bytes.
 */
export async function writeTarGz(
  file: string,
  entries: Iterable<TarEntry | StreamEntry> | AsyncIterable<TarEntry | StreamEntry>,
  options: TarOptions & { level?: number; strategy?: number } = {},
): Promise<WrittenArchive> {
  // For big random bodies pass strategy Z_RLE: several times faster than the default, same size.
  const gz = createGzip({ level: options.level ?? 6, strategy: options.strategy });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const written = pipeline(gz, tap, createWriteStream(file));
  written.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  const write = async (chunk: Buffer): Promise<void> => {
    if (chunk.length > 0 && !gz.write(chunk)) await once(gz, 'drain');
  };
  try {
    for await (const entry of entries) {
      if ('body' in entry) {
        await write(tarHeader(entry, entry.size, options.format));
        let sent = 0;
        for await (const chunk of entry.body()) {
          sent += chunk.length;
          await write(chunk);
        }
        if (sent !== entry.size) throw new Error(`${entry.path}: body gave ${sent} bytes, header says ${entry.size}`);
        await write(padding(sent));
      } else {
        await write(tar([entry], { ...options, end: false, trailing: undefined }));
      }
    }
    if (options.end !== false) await write(Buffer.alloc(2 * BLOCK));
    if (options.trailing) await write(options.trailing);
    gz.end();
  } catch (error) {
    gz.destroy(error as Error);
  }
  await written;
  return { sha256: hash.digest('hex'), size };
}

/**
 * Deterministic pseudo-random bytes (AES-CTR keystream of `seed`), `size` in total, in chunks.
 * `ascii` clears the top bit of each byte: 7/8 as incompressible, but Node.js reads such text several times
 * faster (a padded fake program still starts quickly). `exclude` replaces one byte value (e.g. `*`, so the
 * bytes can sit inside a JS block comment).
 */
export function* pseudoRandomChunks(
  size: number,
  seed: string,
  options: { chunkSize?: number; ascii?: boolean; exclude?: number } = {},
): Generator<Buffer> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const chunkSize = options.chunkSize ?? 1 << 20;
  for (let left = size; left > 0; left -= chunkSize) {
    const chunk = cipher.update(Buffer.alloc(Math.min(chunkSize, left)));
    if (options.ascii) {
      // Word-wise where aligned: a byte loop over 200 MB would take seconds.
      const words = chunk.byteOffset % 4 === 0 ? Math.floor(chunk.length / 4) : 0;
      const view = new Uint32Array(chunk.buffer, chunk.byteOffset, words);
      for (let i = 0; i < view.length; i++) view[i] = (view[i] as number) & 0x7f7f7f7f;
      for (let i = words * 4; i < chunk.length; i++) chunk[i] = (chunk[i] as number) & 0x7f;
    }
    if (options.exclude !== undefined) {
      const bad = options.exclude;
      for (let i = chunk.indexOf(bad); i !== -1; i = chunk.indexOf(bad, i + 1)) chunk[i] = (bad + 1) & 0x7f;
    }
    yield chunk;
  }
}
