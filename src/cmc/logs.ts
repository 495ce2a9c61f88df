/**
 * The agent's output in `<agent dir>/logs/agent.log`, rotated by size (agent.log.1 … .3), as Connect
 * keeps it; the last lines in memory for error messages; and reading it back (`cmc logs [--follow]`).
 */
import { closeSync, openSync, renameSync, rmSync, writeSync, fstatSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 3;

/** Appends to a file, rotating it once it passes maxBytes. Synchronous: agent output is small. */
export class RotatingLog {
  private fd: number;
  private size: number;

  constructor(
    private readonly file: string,
    private readonly maxBytes = LOG_MAX_BYTES,
    private readonly keep = LOG_KEEP,
  ) {
    this.fd = openSync(file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(chunk: Buffer | string): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.size > 0 && this.size + data.length > this.maxBytes) this.rotate();
    writeSync(this.fd, data);
    this.size += data.length;
  }

  close(): void {
    closeSync(this.fd);
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.file}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) {
      try {
        renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      } catch {
        // Not there yet.
      }
    }
    renameSync(this.file, `${this.file}.1`);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = 0;
  }
}

/** The last `n` lines of a stream of chunks (a partial last line counts). */
export class LastLines {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly n = 10) {}

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.map((l) => l.trimEnd()).filter(Boolean));
    if (this.lines.length > this.n) this.lines = this.lines.slice(-this.n);
  }

  get(): string[] {
    const all = this.partial.trim() ? [...this.lines, this.partial.trimEnd()] : this.lines;
    return all.slice(-this.n);
  }
}

/** The last `n` lines of a file (reading at most its last 64 KiB); [] when there is no file. */
export async function tailFile(file: string, n = 10): Promise<string[]> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(length);
    await handle.read(buf, 0, length, size - length);
    const lines = new LastLines(n);
    lines.push(buf);
    return lines.get();
  } finally {
    await handle.close();
  }
}

/**
 * Copies the file to `write`, then (with follow) what is appended to it until `signal` aborts,
 * carrying on into the new file after a rotation.
 */
export async function printLog(file: string, write: (chunk: Buffer) => void, opts: { follow: boolean; signal?: AbortSignal | undefined; pollMs?: number }): Promise<void> {
  let handle = await open(file, 'r');
  let ino = (await handle.stat()).ino;
  let offset = 0;
  const drain = async (): Promise<void> => {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      write(buf.subarray(0, bytesRead));
    }
  };
  try {
    await drain();
    while (opts.follow && !opts.signal?.aborted) {
      await delay(opts.pollMs ?? 200, undefined, { signal: opts.signal }).catch(() => undefined);
      await drain();
      const now = await stat(file).catch(() => undefined);
      if (now && (now.ino !== ino || now.size < offset)) {
        // Rotated (or truncated): the old file is finished; go on with the new one from its start.
        await handle.close();
        handle = await open(file, 'r');
        ino = (await handle.stat()).ino;
        offset = 0;
        await drain();
      }
    }
  } finally {
    await handle.close();
  }
}
