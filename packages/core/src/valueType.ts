/** A non-primitive default accepts any object, array or null; a primitive one its own type. */
export function sameType(value: unknown, defaultValue: unknown): boolean {
  const t = typeof defaultValue
  if (t === 'boolean' || t === 'string' || t === 'number') return typeof value === t
  return typeof value === 'object'
}

/** What a value is, for a `TYPE_MISMATCH` message. */
export function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}
