/** One difference between two JSON values, at a dotted path (`fallthrough.split[0].weight`). */
export interface Difference {
  path: string
  /** `undefined` when the path is new. */
  before: unknown
  /** `undefined` when the path is gone. */
  after: unknown
}

/**
 * The leaf-level differences between two JSON values, in path order:
 * objects are compared key by key, arrays index by index, anything else as
 * a whole.
 */
export function diffValues(before: unknown, after: unknown, path = ''): Difference[] {
  if (Object.is(before, after)) return []
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: Difference[] = []
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      out.push(...diffValues(before[i], after[i], `${path}[${i}]`))
    }
    return out
  }
  if (isObject(before) && isObject(after)) {
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    return names.flatMap((name) =>
      diffValues(before[name], after[name], path === '' ? name : `${path}.${name}`),
    )
  }
  return [{ path: path === '' ? '(value)' : path, before, after }]
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A value as a diff cell shows it: JSON, or an em dash when absent. */
export function showValue(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value)
}
