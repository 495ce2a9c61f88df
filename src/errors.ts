/**
 * The error type every module throws for conditions a user can act on. `code` is stable (tests and
 * callers switch on it); `message` is one line that says what happened and, where there is one, the fix.
 * Anything that is not a ToolsError is a bug and keeps its stack.
 */
export type ErrorCode =
  | 'EINTEGRITY' // digest or checksum file does not match
  | 'ECHECKSUM' // the .sha256 file is malformed
  | 'EHTTP' // HTTP status, redirect, size or URL policy problem
  | 'ENETWORK' // connection, TLS, DNS or timeout
  | 'EARCHIVE' // hostile or broken archive
  | 'ELOCKED' // could not get the cache lock in time
  | 'EOFFLINE' // the network is off by configuration
  | 'EPLATFORM' // this OS/CPU has no Teleport build
  | 'EVERSION' // not a usable version string
  | 'ECONFIG' // bad tools.yaml or bad value
  | 'EUNSAFE' // a directory or binary is writable by others
  | 'EFS' // a file system operation failed (full disk, read-only, permissions)
  | 'ENOTOOL' // no usable binary anywhere
  | 'ECANCELLED' // the user pressed Ctrl-C
  | 'EUSAGE' // bad command line
  | 'EINSTALL' // a freshly installed binary failed its first run
  | 'ECMC'; // Connect My Computer step failed

export class ToolsError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolsError';
    this.code = code;
  }
}

export function isToolsError(err: unknown, code?: ErrorCode): err is ToolsError {
  return err instanceof ToolsError && (code === undefined || err.code === code);
}

/** The one line shown to a user: our own message, or a short description of a system error. */
export function describeError(err: unknown): string {
  if (err instanceof ToolsError) return err.message;
  if (err instanceof Error) {
    const sys = err as NodeJS.ErrnoException;
    if (sys.code === 'ENOSPC') return `no space left on device${sys.path ? ` (${sys.path})` : ''}`;
    if (sys.code === 'EROFS') return `read-only file system${sys.path ? ` (${sys.path})` : ''}`;
    if (sys.code === 'EACCES' || sys.code === 'EPERM') return `permission denied${sys.path ? ` (${sys.path})` : ''}`;
    return err.message;
  }
  return String(err);
}

/** Wraps a file system error from our own install steps so callers can treat it as one class. */
export function fsError(action: string, err: unknown): ToolsError {
  return new ToolsError('EFS', `${action}: ${describeError(err)}`, { cause: err });
}
