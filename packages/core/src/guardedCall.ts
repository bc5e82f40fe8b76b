/**
 * Runs `fn` and hands its outcome and latency to `settle`: a synchronous
 * function stays synchronous, and a promise (any thenable) is returned as it
 * is, its outcome settled when it does. Throws exactly what `fn` throws.
 * Without `settle` (nothing to attribute the call to) it only runs `fn`.
 */
export function guardedCall<R>(
  fn: () => R,
  timer: () => number,
  settle: ((ok: boolean, latencyMs: number, error: unknown) => void) | undefined,
): R {
  const start = timer()
  let result: R
  try {
    result = fn()
  } catch (error) {
    settle?.(false, timer() - start, error)
    throw error
  }
  if (settle === undefined) return result
  const then = thenOf(result)
  if (then === undefined) {
    settle(true, timer() - start, undefined)
  } else {
    try {
      then.call(
        result,
        () => settle(true, timer() - start, undefined),
        (error: unknown) => settle(false, timer() - start, error),
      )
    } catch {
      // A thenable whose `then` throws is the caller's to discover; nothing to count.
    }
  }
  return result
}

/** The high-resolution clock where the runtime has one, for latencies. */
export function defaultTimer(): () => number {
  if (typeof performance !== 'undefined' && typeof performance.now === 'function') {
    return () => performance.now()
  }
  return Date.now
}

function thenOf(
  value: unknown,
): ((onOk: () => void, onError: (e: unknown) => void) => unknown) | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined
  try {
    const then = (value as { then?: unknown }).then
    return typeof then === 'function'
      ? (then as (onOk: () => void, onError: (e: unknown) => void) => unknown)
      : undefined
  } catch {
    return undefined
  }
}
