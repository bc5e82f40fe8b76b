import { canonicalString, toNumber, toTime } from './coercion'
import type { ContextLayers } from './contextLayers'
import { FlagSdkError } from './errors'
import { ErrorCode } from './reasons'
import type { Condition } from './schemas'
import type { SegmentTable } from './segmentTable'
import { compareSemver, parseSemver, type Semver } from './semver'

/** A compiled condition: does the context satisfy it? */
export type Test = (context: ContextLayers) => boolean

/** Lists longer than this are looked up in a `Set` rather than scanned. */
const SET_THRESHOLD = 16

/**
 * Compiles conditions that must all hold into one test. Operator values are
 * parsed here, once per configuration, so evaluation only compares.
 * Throws a `FlagSdkError` (`PARSE_ERROR`) for a condition the schema would
 * have rejected; configuration that went through the schema never throws.
 */
export function compileConditions(conditions: readonly Condition[], segments: SegmentTable): Test {
  if (!Array.isArray(conditions)) throw malformed('conditions must be a list')
  const tests = conditions.map((c) => compileCondition(c, segments))
  if (tests.length === 0) return () => true
  if (tests.length === 1) return tests[0] as Test
  return (context) => {
    for (let i = 0; i < tests.length; i++) if (!(tests[i] as Test)(context)) return false
    return true
  }
}

/**
 * One condition; the coercion rules (also in docs/evaluation.md):
 * - A missing attribute (`undefined` or `null`) satisfies no positive
 *   operator. Negated operators (`notIn`, `neq`, `notInSegment`,
 *   `notExists`) are the exact negation of their positive form, so a
 *   missing attribute satisfies them.
 * - A list attribute satisfies a positive operator when any item does.
 * - Equality and string operators compare canonical strings: strings as
 *   they are, finite numbers as `String(n)` (`42` equals `"42"`), booleans
 *   as `"true"`/`"false"`. Comparisons are case-sensitive.
 * - Numeric operators take finite numbers, and strings that are a number
 *   literal with no surrounding whitespace (`"2.5"`; not `""` or `" 1"`).
 * - Date operators take epoch milliseconds or ISO 8601 strings
 *   (`2025-01-31`, `2025-01-31T12:00:00Z`); a date-time with no offset is
 *   read as UTC so that every runtime agrees.
 * - Semver operators take strict semantic versions (leading `v` allowed).
 * - With several values, a condition holds when any value satisfies it.
 */
export function compileCondition(condition: Condition, segments: SegmentTable): Test {
  if (typeof condition !== 'object' || condition === null) throw malformed('condition')
  const { attribute, op, values } = condition
  if (typeof attribute !== 'string') throw malformed('condition attribute')
  if (!Array.isArray(values)) throw malformed(`values of "${attribute}"`)
  switch (op) {
    case 'in':
    case 'eq':
      return stringTest(attribute, membership(values))
    case 'notIn':
    case 'neq':
      return negate(stringTest(attribute, membership(values)))
    case 'contains': {
      const needles = values.map(canonicalValue)
      return stringTest(attribute, (s) => {
        for (let i = 0; i < needles.length; i++) if (s.includes(needles[i] as string)) return true
        return false
      })
    }
    case 'startsWith': {
      const needles = values.map(canonicalValue)
      return stringTest(attribute, (s) => {
        for (let i = 0; i < needles.length; i++) if (s.startsWith(needles[i] as string)) return true
        return false
      })
    }
    case 'endsWith': {
      const needles = values.map(canonicalValue)
      return stringTest(attribute, (s) => {
        for (let i = 0; i < needles.length; i++) if (s.endsWith(needles[i] as string)) return true
        return false
      })
    }
    // "Any value satisfies it" reduces to one bound: gt the smallest value, lt the largest.
    case 'gt': {
      const min = smallest(values.map(numberValue))
      return numberTest(attribute, toNumber, (x) => x > min)
    }
    case 'gte': {
      const min = smallest(values.map(numberValue))
      return numberTest(attribute, toNumber, (x) => x >= min)
    }
    case 'lt': {
      const max = largest(values.map(numberValue))
      return numberTest(attribute, toNumber, (x) => x < max)
    }
    case 'lte': {
      const max = largest(values.map(numberValue))
      return numberTest(attribute, toNumber, (x) => x <= max)
    }
    case 'before': {
      const max = largest(values.map(timeValue))
      return numberTest(attribute, toTime, (t) => t < max)
    }
    case 'after': {
      const min = smallest(values.map(timeValue))
      return numberTest(attribute, toTime, (t) => t > min)
    }
    case 'semverGt': {
      const versions = values.map(semverValue)
      return semverTest(attribute, (v) => versions.some((w) => compareSemver(v, w) > 0))
    }
    case 'semverLt': {
      const versions = values.map(semverValue)
      return semverTest(attribute, (v) => versions.some((w) => compareSemver(v, w) < 0))
    }
    case 'semverEq': {
      const versions = values.map(semverValue)
      return semverTest(attribute, (v) => versions.some((w) => compareSemver(v, w) === 0))
    }
    case 'exists':
      return (context) => isPresent(context.get(attribute))
    case 'notExists':
      return (context) => !isPresent(context.get(attribute))
    case 'inSegment':
      return segmentTest(values, segments)
    case 'notInSegment':
      return negate(segmentTest(values, segments))
    default:
      throw malformed(`unknown operator "${String(op)}"`)
  }
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null
}

function negate(test: Test): Test {
  return (context) => !test(context)
}

function membership(values: readonly unknown[]): (s: string) => boolean {
  const list = values.map(canonicalValue)
  if (list.length > SET_THRESHOLD) {
    const set = new Set(list)
    return (s) => set.has(s)
  }
  return (s) => {
    for (let i = 0; i < list.length; i++) if (list[i] === s) return true
    return false
  }
}

function stringTest(attribute: string, pred: (s: string) => boolean): Test {
  return (context) => {
    const v = context.get(attribute)
    if (typeof v === 'string') return pred(v)
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const s = canonicalString(v[i])
        if (s !== undefined && pred(s)) return true
      }
      return false
    }
    const s = canonicalString(v)
    return s !== undefined && pred(s)
  }
}

function numberTest(
  attribute: string,
  read: (value: unknown) => number,
  pred: (x: number) => boolean,
): Test {
  return (context) => {
    const v = context.get(attribute)
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (pred(read(v[i]))) return true
      return false
    }
    return pred(read(v))
  }
}

function semverTest(attribute: string, pred: (v: Semver) => boolean): Test {
  const one = (value: unknown): boolean => {
    const v = typeof value === 'string' ? parseSemver(value) : undefined
    return v !== undefined && pred(v)
  }
  return (context) => {
    const v = context.get(attribute)
    return Array.isArray(v) ? v.some(one) : one(v)
  }
}

function segmentTest(values: readonly unknown[], segments: SegmentTable): Test {
  const keys = values.map((v) => {
    if (typeof v !== 'string') throw malformed('segment keys must be strings')
    return v
  })
  return (context) => {
    for (let i = 0; i < keys.length; i++)
      if (segments.matches(keys[i] as string, context)) return true
    return false
  }
}

function canonicalValue(value: unknown): string {
  const s = canonicalString(value)
  if (s === undefined) throw malformed(`condition value ${String(value)}`)
  return s
}

function numberValue(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw malformed(`numeric operators compare finite numbers, got ${String(value)}`)
  }
  return value
}

function timeValue(value: unknown): number {
  const t = toTime(value)
  if (Number.isNaN(t)) throw malformed(`not a date: ${String(value)}`)
  return t
}

function semverValue(value: unknown): Semver {
  const v = typeof value === 'string' ? parseSemver(value) : undefined
  if (v === undefined) throw malformed(`not a semantic version: ${String(value)}`)
  return v
}

function smallest(xs: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY
  for (const x of xs) if (x < min) min = x
  return min
}

function largest(xs: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY
  for (const x of xs) if (x > max) max = x
  return max
}

/** The error compiling throws for configuration the schema would have rejected. */
export function malformed(what: string): FlagSdkError {
  return new FlagSdkError(ErrorCode.PARSE_ERROR, `malformed flag: ${what}`)
}
