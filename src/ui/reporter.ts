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

/** One download's progress as the reporter tracks it. */
class Download {
  received = 0;
  private samples: Sample[];

  constructor(
    readonly name: string,
    public total: number | undefined,
    readonly started: number,
  ) {
    this.samples = [{ t: started, received: 0 }];
  }

  /** The progress line at time `t`, with the speed over the recent window. */
  line(t: number, width: number): string {
    const current = { t, received: this.received };
    this.samples.push(current);
    while (this.samples.length > 2 && (this.samples[1] as Sample).t <= t - SPEED_WINDOW_MS) this.samples.shift();
    return progressLine(this.name, { received: this.received, total: this.total }, speedOf(this.samples, current), width);
  }

  /** `Downloaded …` or `Download of … stopped …`, with the time since the start. */
  endLine(ok: boolean, now: number): string {
    const secs = ((now - this.started) / 1000).toFixed(1);
    const { name, total, received } = this;
    if (ok) return `Downloaded ${name}${total ? ` (${formatBytes(total)})` : ''} in ${secs} s\n`;
    return `Download of ${name} stopped after ${secs} s (${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''})\n`;
  }
}

/** Writes to the sink, keeping the progress line (if one is shown) below every message. */
class Screen {
  /** The progress line currently on screen, if any; messages clear it and draw it again below. */
  private shown: string | undefined;

  constructor(private readonly sink: Sink) {}

  get width(): number {
    return this.sink.columns && this.sink.columns > 0 ? this.sink.columns : 80;
  }

  draw(line: string): void {
    this.sink.write(`${CLEAR_LINE}${line}`);
    this.shown = line;
  }

  say(text: string): void {
    if (this.shown === undefined) {
      this.sink.write(text);
      return;
    }
    this.sink.write(`${CLEAR_LINE}${text}`);
    this.sink.write(this.shown);
  }

  /** The progress line goes, `text` takes its place. */
  end(text: string): void {
    if (this.shown !== undefined) this.sink.write(CLEAR_LINE);
    this.shown = undefined;
    this.sink.write(text);
  }
}

export function createReporter(sink: Sink, interactive: boolean, now: () => number = Date.now): Reporter {
  const screen = new Screen(sink);
  let download: Download | undefined;
  let lastDraw = Number.NEGATIVE_INFINITY;
  return {
    info: (line) => screen.say(`${line}\n`),
    warn: (line) => screen.say(`${PREFIX}: warning: ${line}\n`),
    downloadStart(archive, size) {
      download = new Download(archive, size, now());
      if (!interactive) {
        sink.write(`Downloading ${archive}${size ? ` (${formatBytes(size)})` : ''}...\n`);
        return;
      }
      lastDraw = download.started;
      screen.draw(progressLine(archive, { received: 0, total: size }, undefined, screen.width));
    },
    downloadProgress(p) {
      if (!download) return;
      download.received = p.received;
      download.total = p.total ?? download.total;
      if (!interactive) return;
      const t = now();
      const done = download.total !== undefined && download.received >= download.total;
      if (t - lastDraw < REDRAW_MS && !done) return;
      lastDraw = t;
      screen.draw(download.line(t, screen.width));
    },
    downloadEnd(ok) {
      if (!download) return;
      screen.end(download.endLine(ok, now()));
      download = undefined;
    },
  };
}
