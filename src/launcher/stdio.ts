/**
 * The slow path's answer on stdout, and the flush before it exits. stdout carries one short answer
 * (the binary's path, read by the shim's command substitution), which one write(2) delivers without
 * making process.stdout; stderr is made only for a line said (src/ui/stderr.ts).
 */
import { writeSync } from 'node:fs';
import { stderrMade } from '../ui/stderr.js';

let stdoutMade = false;

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
  if (stderrMade()) process.stderr.write('', flushOut);
  else flushOut();
}
