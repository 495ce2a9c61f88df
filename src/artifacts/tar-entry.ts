/**
 * The rules every tar entry meets, whether it is a bare binary or part of an app bundle: which entry
 * types count as regular files, which paths are refused, and how a refusal reads.
 */
import { posix } from 'node:path';
import { ToolsError } from '../errors.js';

/** node-tar's names for a regular file: the only types a binary, or a file in a bundle, may have. */
export const REGULAR_ENTRY_TYPES: ReadonlySet<string> = new Set(['File', 'OldFile', 'ContiguousFile']);

export function archiveError(message: string, cause?: unknown): ToolsError {
  return new ToolsError('EARCHIVE', `refusing archive: ${message}`, cause === undefined ? undefined : { cause });
}

/** Normalises an entry path, refusing the ones that could escape the destination. */
export function checkedPath(raw: string): string {
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw) || raw.startsWith('\\')) {
    throw archiveError(`entry ${JSON.stringify(raw)} has an absolute path`);
  }
  if (raw.split(/[\\/]/).includes('..')) {
    throw archiveError(`entry ${JSON.stringify(raw)} contains ".."`);
  }
  return posix.normalize(raw).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Where in the archive reading stopped, for messages: the last entry whose header was read. */
export interface Position {
  entry?: string | undefined;
}

export const at = (entry: string | undefined): string => (entry ? ` (at entry ${JSON.stringify(entry)})` : '');

/** node-tar's own complaint (strict mode), with the entry it was reading when it has one. */
export function parserError(err: Error & { entry?: { path?: string }; header?: { path?: string } }, position: Position): ToolsError {
  return archiveError(`${err.message}${at(err.entry?.path ?? err.header?.path ?? position.entry)}`, err);
}
