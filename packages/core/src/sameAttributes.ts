import type { Context } from './types'

/**
 * Do two contexts hold the same attributes? Lists are compared item by
 * item, and an attribute set to `undefined` counts as not set: an inline
 * `{ userId }` rebuilt on every render is the same context.
 */
export function sameAttributes(a: Context | undefined, b: Context | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  const keys = Object.keys(a).filter((key) => a[key] !== undefined)
  if (keys.length !== Object.keys(b).filter((key) => b[key] !== undefined).length) return false
  return keys.every((key) => {
    const x = a[key]
    const y = b[key]
    if (Array.isArray(x) && Array.isArray(y)) {
      return x.length === y.length && x.every((item, i) => Object.is(item, y[i]))
    }
    return Object.is(x, y)
  })
}
