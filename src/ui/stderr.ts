/**
 * stderr for the processes that speak through a Reporter (the launchers' slow path, the Windows
 * launcher, the install child), without Node.js's stream object until something is said: making
 * process.stderr (a net.Socket for a pipe, a tty.WriteStream for a terminal) costs milliseconds, and an
 * up-to-date `tsh login` says nothing at all.
 */
import { isatty } from 'node:tty';
import type { Sink } from './reporter.js';

let made = false;

/** process.stderr, made on first use. */
export function stderr(): NodeJS.WriteStream {
  made = true;
  return process.stderr;
}

/** Whether stderr() has been asked for (and so may hold output still to flush). */
export const stderrMade = (): boolean => made;

/** Whether stderr is a terminal, without making process.stderr. */
export const stderrIsTTY = (): boolean => isatty(2);

/** The reporter's sink: stderr, made on the first line said; the width read at each redraw. */
export const stderrSink: Sink = {
  write: (text) => stderr().write(text),
  get columns() {
    return stderr().columns;
  },
};
