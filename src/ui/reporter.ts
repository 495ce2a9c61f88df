/**
 * What the launchers and the CLI say while they work, always on stderr (tsh's stdout is often piped
 * to jq). On an interactive terminal a download redraws one progress line; elsewhere (a pipe, a file,
 * CI) it prints a start line and an end line only.
 */
import type { Progress } from '../artifacts/download.js';

export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  downloadStart(name: string, total: number | undefined): void;
  downloadProgress(p: Progress): void;
  downloadEnd(ok: boolean): void;
}

export interface Sink {
  write(text: string): unknown;
  columns?: number | undefined;
}

const PREFIX = 'teleport-tools';

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** The progress line: name, bytes, percent, speed, ETA. */
export function progressLine(name: string, p: Progress, elapsedMs: number, width = 80): string {
  const speed = elapsedMs > 0 ? (p.received / elapsedMs) * 1000 : 0;
  const speedText = `${formatBytes(speed)}/s`;
  if (p.total === undefined || p.total <= 0) return `Downloading ${name}: ${formatBytes(p.received)} ${speedText}`.slice(0, width - 1);
  const ratio = Math.min(1, p.received / p.total);
  const eta = speed > 0 ? (p.total - p.received) / speed : Number.NaN;
  const tail = ` ${String(Math.floor(ratio * 100)).padStart(3)}% ${formatBytes(p.received)}/${formatBytes(p.total)} ${speedText} ETA ${formatEta(eta)}`;
  const barWidth = Math.max(10, Math.min(30, width - tail.length - 3));
  const filled = Math.round(ratio * barWidth);
  return `[${'='.repeat(filled)}${' '.repeat(barWidth - filled)}]${tail}`.slice(0, width - 1);
}

export function createReporter(sink: Sink, interactive: boolean, now: () => number = Date.now): Reporter {
  let name = '';
  let started = 0;
  let total: number | undefined;
  let lastDraw = 0;
  let drawn = false;
  return {
    info: (line) => sink.write(`${line}\n`),
    warn: (line) => sink.write(`${PREFIX}: warning: ${line}\n`),
    downloadStart(archive, size) {
      name = archive;
      total = size;
      started = now();
      lastDraw = 0;
      drawn = false;
      if (!interactive) sink.write(`Downloading ${archive}${size ? ` (${formatBytes(size)})` : ''}...\n`);
    },
    downloadProgress(p) {
      if (!interactive) return;
      const t = now();
      if (t - lastDraw < 100 && p.received !== p.total) return;
      lastDraw = t;
      drawn = true;
      sink.write(`\r\x1b[2K${progressLine(name, p, t - started, sink.columns ?? 80)}`);
    },
    downloadEnd(ok) {
      const secs = ((now() - started) / 1000).toFixed(1);
      if (interactive && drawn) sink.write('\r\x1b[2K');
      sink.write(ok ? `Downloaded ${name}${total ? ` (${formatBytes(total)})` : ''} in ${secs} s\n` : `Download of ${name} stopped after ${secs} s\n`);
    },
  };
}

/** A reporter that says nothing (tests, --json). */
export const silentReporter: Reporter = {
  info: () => undefined,
  warn: () => undefined,
  downloadStart: () => undefined,
  downloadProgress: () => undefined,
  downloadEnd: () => undefined,
};
