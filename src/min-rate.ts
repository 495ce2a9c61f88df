/**
 * A body that trickles in below any useful rate is given up, as curl's --speed-limit/--speed-time do:
 * the idle timeout only catches silence, and a byte a second would hold `tsh login` for days.
 * Judged over windows of the idle timeout; a window in which our own reader was behind is not the
 * server's fault and is not judged.
 */
import { Transform, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';

/** A 150 MB release at this rate takes 40 hours: nothing useful is slower. */
export const MIN_BYTES_PER_SECOND = 1024;

export class TooSlowError extends Error {
  readonly code = 'ETOOSLOW';
}

export function withMinRate(body: Readable, windowMs: number, minBytesPerSecond = MIN_BYTES_PER_SECOND): Readable {
  let bytes = 0;
  let since = performance.now();
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const timer = setInterval(() => {
    const now = performance.now();
    const seconds = (now - since) / 1000;
    const readerBehind = meter.readableLength > 0 || meter.writableLength > 0;
    // Nothing at all is silence, the idle timeout's to report; a trickle is ours.
    if (!readerBehind && bytes > 0 && bytes < minBytesPerSecond * seconds) {
      const rate = `${Math.round(bytes / seconds)} B/s over ${Number(seconds.toFixed(1))} s`;
      meter.destroy(new TooSlowError(`it arrived at ${rate}, under ${minBytesPerSecond / 1024} KiB/s (on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT)`));
    }
    bytes = 0;
    since = now;
  }, windowMs);
  timer.unref();
  meter.once('close', () => clearInterval(timer));
  // Errors of either side end both: the socket's reach the reader, the reader's destroy frees the socket.
  pipeline(body, meter, () => undefined);
  return meter;
}
