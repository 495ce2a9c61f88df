/**
 * Abort signals with strong references. Node's AbortSignal.timeout() and AbortSignal.any() hold
 * their sources weakly, so a timeout signal that only a composite refers to can be garbage-collected
 * and never fire (seen here: a hanging endpoint outlived its 10 s limit). A plain timer and
 * listeners keep everything alive until disposed.
 */
export interface Scoped {
  signal: AbortSignal;
  /** Stops the timer and detaches from the parents. */
  dispose(): void;
}

/** Aborts when any parent aborts, or after `timeoutMs` (with `onTimeout()` as the reason). */
export function scopedSignal(parents: readonly (AbortSignal | undefined)[], timeoutMs?: number, onTimeout?: () => unknown): Scoped {
  const controller = new AbortController();
  const listeners: [AbortSignal, () => void][] = [];
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      break;
    }
    const listener = () => controller.abort(parent.reason);
    parent.addEventListener('abort', listener, { once: true });
    listeners.push([parent, listener]);
  }
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(onTimeout?.() ?? new Error('timed out')), timeoutMs);
  return {
    signal: controller.signal,
    dispose() {
      if (timer) clearTimeout(timer);
      for (const [parent, listener] of listeners) parent.removeEventListener('abort', listener);
    },
  };
}
