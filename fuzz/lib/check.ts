/**
 * What every target asserts about a refusal: a ToolsError (never a TypeError, RangeError or anything
 * else a bug throws) whose message is one line. Anything else fails the input.
 */
import { ToolsError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';

/** An invariant broke: the fuzzer keeps the input as a crash. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new InvariantError(message);
}

/** Rethrows `err` unless it is a one-line ToolsError with one of `codes`. */
export function expectRefusal(err: unknown, codes: readonly ErrorCode[]): ToolsError {
  if (!(err instanceof ToolsError)) throw err;
  check(codes.includes(err.code), `refused with ${err.code}, expected one of ${codes.join(', ')}: ${err.message}`);
  check(!/[\r\n]/.test(err.message), `refusal message is not one line: ${JSON.stringify(err.message)}`);
  return err;
}

/** Calls `fn`; a refusal (see expectRefusal) comes back as undefined, anything else thrown escapes. */
export function parseOrRefuse<T>(fn: () => T, codes: readonly ErrorCode[]): T | undefined {
  try {
    return fn();
  } catch (err) {
    expectRefusal(err, codes);
    return undefined;
  }
}
