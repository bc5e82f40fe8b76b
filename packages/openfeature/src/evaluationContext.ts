import type { Context, ContextScalar, ContextValue } from '@floodgate/core'
import type { EvaluationContext } from '@openfeature/core'

/** A converted context, or why the OpenFeature context cannot be one (`INVALID_CONTEXT`). */
export type ContextResult = { success: true; data: Context } | { success: false; error: string }

/** Nested objects deeper than this are refused rather than walked (and a cycle ends here). */
const MAX_DEPTH = 8

/**
 * An OpenFeature evaluation context as Floodgate's.
 *
 * - `targetingKey` becomes the attribute `targetingKeyAttribute` (`userId`
 *   by default, the unit splits hash), unless the context sets that
 *   attribute itself.
 * - Strings, numbers, booleans and `null` pass as they are; a `Date` becomes
 *   its ISO 8601 string (what `before` / `after` read).
 * - A list may hold scalars and dates; it matches a condition when an item does.
 * - A nested object is flattened into dotted names: `{ org: { plan: 'pro' } }`
 *   is the attribute `org.plan`.
 *
 * Anything else (a list of objects, a `targetingKey` that is not a string, a
 * dotted name given twice, nesting deeper than 8) is an error to report as
 * `INVALID_CONTEXT`. Reading the context may throw (a getter): the caller
 * reports that as `GENERAL`.
 */
export function toFloodgateContext(
  context: EvaluationContext,
  targetingKeyAttribute: string,
): ContextResult {
  const entries = new Map<string, ContextValue>()
  const error = flatten(context, '', 0, entries)
  if (error !== undefined) return { success: false, error }
  const targetingKey: unknown = context.targetingKey
  if (targetingKey !== undefined) {
    if (typeof targetingKey !== 'string') {
      return {
        success: false,
        error: `targetingKey must be a string, not ${describe(targetingKey)}`,
      }
    }
    if (!entries.has(targetingKeyAttribute)) entries.set(targetingKeyAttribute, targetingKey)
  }
  return { success: true, data: Object.fromEntries(entries) as Context }
}

function flatten(
  object: object,
  prefix: string,
  depth: number,
  into: Map<string, ContextValue>,
): string | undefined {
  if (depth > MAX_DEPTH)
    return `attribute "${prefix.slice(0, -1)}" is nested deeper than ${MAX_DEPTH} levels`
  for (const [key, value] of Object.entries(object)) {
    if (depth === 0 && key === 'targetingKey') continue
    const name = `${prefix}${key}`
    if (value === undefined) continue
    let converted: ContextValue
    if (isPlainObject(value)) {
      const error = flatten(value, `${name}.`, depth + 1, into)
      if (error !== undefined) return error
      continue
    }
    if (Array.isArray(value)) {
      const items: ContextScalar[] = []
      for (const item of value) {
        const scalar = toScalar(item)
        if (scalar === undefined) {
          return `attribute "${name}": a list may hold strings, numbers, booleans and dates, not ${describe(item)}`
        }
        items.push(scalar)
      }
      converted = items
    } else if (value === null) {
      converted = null
    } else {
      const scalar = toScalar(value)
      if (scalar === undefined) return `attribute "${name}" is ${describe(value)}`
      converted = scalar
    }
    if (into.has(name)) return `attribute "${name}" is given twice (once as a nested object)`
    into.set(name, converted)
  }
  return undefined
}

function toScalar(value: unknown): ContextScalar | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value
  }
  if (value instanceof Date) {
    const time = value.getTime()
    return Number.isNaN(time) ? undefined : value.toISOString()
  }
  return undefined
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (value instanceof Date) return 'an invalid date'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
