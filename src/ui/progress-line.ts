/**
 * The text of one download progress line: name, bar, percent, bytes, speed, ETA. Pure functions of
 * their inputs, so the reporter (which decides when to draw) is the only part that knows about time.
 */
import type { Progress } from '../artifacts/download.js';
import { formatBytePair, formatBytes } from './bytes.js';

/** `0:07`, `12:34`, `1:02:03`; `--:--` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const BAR_MIN = 10;
const BAR_MAX = 30;

function bar(ratio: number, width: number): string {
  const filled = Math.floor(ratio * width);
  return filled >= width ? '='.repeat(width) : `${'='.repeat(filled)}>${' '.repeat(width - filled - 1)}`;
}

function ellipsis(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3))}...`;
}

/**
 * One line, at most `width - 1` characters: a line that fills the last column makes some terminals
 * wrap, and a wrapped line can no longer be redrawn with a carriage return. The numbers always show;
 * a narrow terminal loses the bar first, then the word "Downloading", then the end of the name.
 * @param speed bytes per second, undefined while unknown
 */
export function progressLine(name: string, p: Progress, speed: number | undefined, width = 80): string {
  const max = Math.max(1, width - 1);
  const speedText = speed === undefined ? '--/s' : `${formatBytes(speed)}/s`;
  let fields: string[];
  let ratio: number | undefined;
  if (p.total === undefined || p.total <= 0) {
    fields = [formatBytes(p.received), speedText];
  } else {
    ratio = Math.min(1, Math.max(0, p.received / p.total));
    const eta = speed && speed > 0 ? Math.max(0, p.total - p.received) / speed : p.received >= p.total ? 0 : undefined;
    fields = [`${String(Math.floor(ratio * 100)).padStart(3)}%`, formatBytePair(p.received, p.total), speedText, `ETA ${formatDuration(eta)}`];
  }
  const wide = fields.join('  ');
  const tight = fields.join(' ');
  for (const head of [`Downloading ${name}`, name]) {
    for (const stats of [wide, tight]) {
      const room = max - head.length - stats.length - 4; // " [" + "] "
      if (ratio !== undefined && room >= BAR_MIN) return `${head} [${bar(ratio, Math.min(BAR_MAX, room))}] ${stats}`;
    }
  }
  for (const head of [`Downloading ${name}`, name]) {
    for (const stats of [wide, tight]) {
      if (head.length + 1 + stats.length <= max) return `${head} ${stats}`;
    }
  }
  const room = max - tight.length - 1;
  if (room >= 8) return `${ellipsis(name, room)} ${tight}`;
  return tight.slice(0, max);
}
