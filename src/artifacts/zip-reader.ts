/**
 * The staged zip as yauzl reads it: every read is checked against the file's size first. yauzl takes
 * offsets from the zip's own records (the ZIP64 locator, the central directory, each local header);
 * a lying one can name a position past 2^53, and yauzl's own file reader hands that to fs.read, which
 * throws inside a callback where no caller can catch it: the process would die with a stack trace. Here
 * such a read fails like any read past the end, and the zip is refused with one line.
 */
import { close, createReadStream, fstat, open, read } from 'node:fs';
import { Readable } from 'node:stream';
import type * as YauzlModule from 'yauzl';
import type { RandomAccessReader } from 'yauzl';

type Yauzl = typeof YauzlModule.default;

/** Why the range [start, end) cannot be read from a file of `size` bytes, or undefined when it can. */
function outOfBounds(start: number, end: number, size: number): string | undefined {
  if (Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end <= size) return undefined;
  return `it points past its own end: bytes ${start} to ${end} of a ${size}-byte file`;
}

/** Opens `file` for yauzl (the reader closes it when yauzl is done with it); resolves its size too. */
export async function openBoundedReader(yauzl: Yauzl, file: string): Promise<{ reader: RandomAccessReader; size: number }> {
  const fd = await new Promise<number>((resolve, reject) => open(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
  let size: number;
  try {
    size = await new Promise<number>((resolve, reject) => fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size))));
  } catch (err) {
    close(fd, () => {});
    throw err;
  }
  class BoundedReader extends yauzl.RandomAccessReader {
    override _readStreamForRange(start: number, end: number): Readable {
      const why = outOfBounds(start, end, size);
      if (why !== undefined) {
        return new Readable({
          read() {
            this.destroy(new Error(why));
          },
        });
      }
      // yauzl destroys each stream when done with it, and destroying a file stream closes its fd,
      // even with autoClose off: this one shares the reader's fd, which only close() below may close.
      return createReadStream('', { fd, start, end: end - 1, autoClose: false, fs: { read, close: (_fd: number, cb: (err: null) => void) => cb(null) } });
    }

    override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
      const why = outOfBounds(position, position + length, size);
      if (why !== undefined) {
        setImmediate(callback, new Error(why));
        return;
      }
      read(fd, buffer, offset, length, position, (err, n) => callback(err ?? (n < length ? new Error('unexpected end of file') : null)));
    }

    override close(callback: (err: Error | null) => void): void {
      close(fd, (err) => callback(err ?? null));
    }
  }
  return { reader: new BoundedReader(), size };
}
