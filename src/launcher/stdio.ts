/**
 * The slow path's stdout and stderr, without Node.js's stream objects until something needs them.
 * Making process.stderr (a net.Socket for a pipe, a tty.WriteStream for a terminal) costs milliseconds,
 * and an up-to-date `tsh login` says nothing at all; stdout carries one short answer (the binary's path,
 * read by the shim's command substitution), which one write(2) delivers.
 */
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import type { Sink } from '../ui/reporter.js';

let stderrMade = false;
let stdoutMade = false;

/** process.stderr, made on first use. */
export function stderr(): NodeJS.WriteStream {
  stderrMade = true;
  return process.stderr;
}

/** Whether stderr is a terminal, without making process.stderr. */
export const stderrIsTTY = (): boolean => isatty(2);

/** The reporter's sink: stderr, made on the first line said; the width read at each redraw. */
export const stderrSink: Sink = {
  write: (text) => stderr().write(text),
  get columns() {
    return stderr().columns;
  },
};

/**
 * Writes `text` to fd 1 with write(2); whatever that cannot take (a full or non-blocking pipe, an
 * error) goes through process.stdout instead, as before.
 */
export function writeAnswer(text: string): void {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch {
    stdoutMade = true;
    process.stdout.write(bytes.subarray(done));
  }
}

/** Calls `then` once what went through the streams made so far is handed to the system. */
export function afterFlush(then: () => void): void {
  const flushOut = (): unknown => (stdoutMade ? process.stdout.write('', then) : then());
  if (stderrMade) process.stderr.write('', flushOut);
  else flushOut();
}
