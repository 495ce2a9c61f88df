/**
 * Clock skew against a server's Date header. Teleport's certificates and one-time codes tolerate about
 * a minute of difference; a clock further off makes `tsh login` fail in ways that do not mention time.
 */
import type { Check } from './check.js';
import { failed, passed } from './check.js';

export const MAX_SKEW_MS = 60_000;
const NAME = 'clock';

export interface ClockSample {
  /** The Date header (whole seconds). */
  date: string | undefined;
  /** Local time when the request was sent and when the answer came, ms. */
  sent: number;
  answered: number;
  /** Who answered, for the message. */
  server: string;
}

/**
 * Local minus server time in ms, 0 when they agree within what one request can tell: the server
 * stamped some instant between `sent` and `answered`, and the header drops the milliseconds.
 */
export function skewMs(serverMs: number, sent: number, answered: number): number {
  if (serverMs + 1000 < sent) return sent - (serverMs + 1000);
  if (serverMs > answered) return -(serverMs - answered);
  return 0;
}

export function formatSkew(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

const SYNC_FIX: Readonly<Record<string, string>> = {
  darwin: 'turn on "Set time and date automatically" in System Settings > General > Date & Time',
  linux: 'turn on time synchronisation: sudo timedatectl set-ntp true',
};

export function clockCheck(sample: ClockSample, platform: string = process.platform): Check {
  const serverMs = sample.date ? Date.parse(sample.date) : Number.NaN;
  if (Number.isNaN(serverMs)) return passed(NAME, `skipped: ${sample.server} sent no usable Date header`);
  const skew = skewMs(serverMs, sample.sent, sample.answered);
  const fix = SYNC_FIX[platform] ?? SYNC_FIX.linux ?? '';
  if (Math.abs(skew) > MAX_SKEW_MS) {
    return failed(NAME, `this computer's clock is ${formatSkew(skew)} ${skew > 0 ? 'ahead of' : 'behind'} ${sample.server} (its Date header); logins fail beyond about ${MAX_SKEW_MS / 1000} s`, fix);
  }
  if (skew === 0) return passed(NAME, `within 1 s of ${sample.server} (its Date header)`);
  return passed(NAME, `${formatSkew(skew)} ${skew > 0 ? 'ahead of' : 'behind'} ${sample.server} (its Date header), within ${MAX_SKEW_MS / 1000} s`);
}
