/**
 * `setTimeout` that does not keep a Node process alive (the timer is
 * `unref`'d where the runtime has it): an SDK's background work must never
 * hold up a process that is otherwise done.
 */
export function backgroundTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, ms)
  if (typeof timer === 'object' && timer !== null && 'unref' in timer) {
    ;(timer as { unref(): void }).unref()
  }
  return timer
}
