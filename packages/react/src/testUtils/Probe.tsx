/** Calls `read` (which calls hooks) on every render and records what it returned. */
export function Probe<T>({ read, seen }: { read: () => T; seen: T[] }) {
  seen.push(read())
  return null
}
