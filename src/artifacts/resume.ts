/**
 * Asks for an archive, continuing a partial download when there is one: `Range: bytes=<have>-` with
 * `If-Range: <validator>`. Only a `206` whose Content-Range starts exactly at `have` and ends at the
 * archive's recorded size, whose Content-Length (when given) is exactly the bytes missing, and with the
 * same validator, continues (download.ts ends it at the first byte past the archive's size, docs/behaviour.md
 * item 28); a `200` (the archive changed, or the server ignores ranges) is used from its first byte; any
 * other answer (416, a wrong Content-Range or Content-Length, a changed validator) is dropped and the
 * archive asked for again without Range.
 */
import { Readable } from 'node:stream';
import type { BodyStream, HttpClient } from '../http.js';
import { redact } from '../http.js';
import { ToolsError } from '../errors.js';
import { validatorOf } from './partial.js';
import type { PartialDownload } from './partial.js';

export interface Opened {
  body: Readable;
  /** The whole archive's size, when known. */
  total: number | undefined;
  /** What a later attempt may resume with; undefined: this answer can never be resumed. */
  validator: string | undefined;
  /** True: `body` continues the partial download; false: it is the archive from byte 0. */
  resumed: boolean;
}

/** `bytes <start>-<end>/<total>`; undefined for anything else (`*`, several ranges, junk). */
export function parseContentRange(value: string | undefined): { start: number; end: number; total: number } | undefined {
  const m = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return start <= end && end < total ? { start, end, total } : undefined;
}

function drop(res: BodyStream): void {
  res.body.on('error', () => undefined);
  res.body.destroy();
}

function fresh(res: BodyStream): Opened {
  return { body: res.body, total: res.size, validator: validatorOf(res.headers), resumed: false };
}

export async function openArchive(http: HttpClient, url: string, partial: PartialDownload | undefined, signal?: AbortSignal): Promise<Opened> {
  if (partial) {
    const { have, meta } = partial;
    // Every byte is already here: the digest decides whether they are still the archive's.
    if (have === meta.total) return { body: Readable.from([]), total: meta.total, validator: meta.validator, resumed: true };
    const res = await http.getStream(url, { signal, headers: { range: `bytes=${have}-`, 'if-range': meta.validator }, accept: [416] });
    if (res.status === 200) return fresh(res);
    const range = res.status === 206 ? parseContentRange(res.headers['content-range']) : undefined;
    const validator = validatorOf(res.headers);
    const lengthFits = res.size === undefined || res.size === meta.total - have;
    if (range && range.start === have && range.end === meta.total - 1 && range.total === meta.total && lengthFits && (validator === undefined || validator === meta.validator)) {
      return { body: res.body, total: meta.total, validator: meta.validator, resumed: true };
    }
    drop(res);
  }
  const res = await http.getStream(url, { signal });
  if (res.status === 206) {
    drop(res);
    throw new ToolsError('EHTTP', `${redact(url)} answered 206 (a part) to a request for the whole archive`);
  }
  return fresh(res);
}
