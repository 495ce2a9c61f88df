/**
 * Byte counts as a user reads them, in one of three styles:
 * - `decimal` (`123.4 MB`): download sizes and speeds, as download tools and Teleport's release pages show them;
 * - `binary` (`412.3 MiB`): disk space, as `df -h` shows it;
 * - `limit` (`1 GiB`, `64 MiB`, `65536 bytes`): caps, exact: whole GiB or MiB, else bytes.
 */
export type ByteStyle = 'decimal' | 'binary' | 'limit';

const UNITS = {
  decimal: { base: 1000, names: ['B', 'kB', 'MB', 'GB', 'TB'] },
  binary: { base: 1024, names: ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] },
} as const;

/** The largest unit `n` is at least one of (0: plain bytes). */
function unitOf(n: number, base: number, count: number): number {
  let unit = 0;
  for (let v = n; v >= base && unit < count - 1; v /= base) unit++;
  return unit;
}

function inUnit(n: number, unit: number, base: number): string {
  return unit === 0 ? String(Math.round(n)) : (n / base ** unit).toFixed(1);
}

function exactLimit(bytes: number): string {
  for (const unit of [3, 2]) {
    const size = 1024 ** unit;
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${UNITS.binary.names[unit]}`;
  }
  return `${bytes} bytes`;
}

export function formatBytes(n: number, style: ByteStyle = 'decimal'): string {
  if (style === 'limit') return exactLimit(n);
  const { base, names } = UNITS[style];
  const unit = unitOf(n, base, names.length);
  return `${inUnit(n, unit, base)} ${names[unit]}`;
}

/** `45.0/100.0 MB` (decimal): both numbers in the total's unit, so the width stays steady while it grows. */
export function formatBytePair(received: number, total: number): string {
  const { base, names } = UNITS.decimal;
  const unit = unitOf(total, base, names.length);
  return `${inUnit(received, unit, base)}/${inUnit(total, unit, base)} ${names[unit]}`;
}
