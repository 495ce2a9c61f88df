/**
 * What the launchers and the CLI say while they work, always on stderr (tsh's stdout is often piped
 * to jq). On an interactive terminal a download redraws one progress line; elsewhere (a pipe, a file,
 * CI, TERM=dumb) it prints a start line and an end line only, so logs stay readable.
 */
import type { Progress } from '../artifacts/download.js';
import { formatBytes } from './bytes.js';
import { progressLine } from './progress-line.js';

export { formatBytes } from './bytes.js';
export { formatDuration, progressLine } from './progress-line.js';

export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  downloadStart(name: string, total: number | undefined): void;
  downloadProgress(p: Progress): void;
  downloadEnd(ok: boolean): void;
}

export interface Sink {
  write(text: string): unknown;
  /** Terminal width; read at every redraw, so a getter follows window resizes. 0 or absent: 80. */
  columns?: number | undefined;
}

const PREFIX = 'teleport-tools';
/** At most this often; a fast local download would otherwise redraw thousands of times. */
const REDRAW_MS = 100;
/** Speed is measured over roughly this much recent time, so the ETA follows a changing rate. */
const SPEED_WINDOW_MS = 5000;
const CLEAR_LINE = '\r\x1b[2K';

interface Sample {
  t: number;
  received: number;
}

/** Bytes per second over the recent window (or since the start, early on); undefined before any time passed. */
function speedOf(samples: readonly Sample[], now: Sample): number | undefined {
  const first = samples[0];
  if (!first || now.t <= first.t) return undefined;
  return ((now.received - first.received) / (now.t - first.t)) * 1000;
}

export function createReporter(sink: Sink, interactive: boolean, now: () => number = Date.now): Reporter {
  let name = '';
  let started = 0;
  let total: number | undefined;
  let received = 0;
  let samples: Sample[] = [];
  let lastDraw = Number.NEGATIVE_INFINITY;
  /** The progress line currently on screen, if any; messages clear it and draw it again below. */
  let shown: string | undefined;
  let active = false;

  const width = (): number => (sink.columns && sink.columns > 0 ? sink.columns : 80);

  function render(t: number): string {
    const current = { t, received };
    samples.push(current);
    while (samples.length > 2 && (samples[1] as Sample).t <= t - SPEED_WINDOW_MS) samples.shift();
    return progressLine(name, { received, total }, speedOf(samples, current), width());
  }

  function draw(line: string): void {
    sink.write(`${CLEAR_LINE}${line}`);
    shown = line;
  }

  function say(text: string): void {
    if (shown === undefined) {
      sink.write(text);
      return;
    }
    sink.write(`${CLEAR_LINE}${text}`);
    sink.write(shown);
  }

  return {
    info: (line) => say(`${line}\n`),
    warn: (line) => say(`${PREFIX}: warning: ${line}\n`),
    downloadStart(archive, size) {
      name = archive;
      total = size;
      received = 0;
      started = now();
      samples = [{ t: started, received: 0 }];
      active = true;
      if (!interactive) {
        sink.write(`Downloading ${archive}${size ? ` (${formatBytes(size)})` : ''}...\n`);
        return;
      }
      lastDraw = started;
      draw(progressLine(name, { received, total }, undefined, width()));
    },
    downloadProgress(p) {
      if (!active) return;
      received = p.received;
      total = p.total ?? total;
      if (!interactive) return;
      const t = now();
      const done = total !== undefined && received >= total;
      if (t - lastDraw < REDRAW_MS && !done) return;
      lastDraw = t;
      draw(render(t));
    },
    downloadEnd(ok) {
      if (!active) return;
      active = false;
      const secs = ((now() - started) / 1000).toFixed(1);
      if (shown !== undefined) sink.write(CLEAR_LINE);
      shown = undefined;
      const size = total ? ` (${formatBytes(total)})` : '';
      sink.write(
        ok
          ? `Downloaded ${name}${size} in ${secs} s\n`
          : `Download of ${name} stopped after ${secs} s (${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''})\n`,
      );
    },
  };
}

