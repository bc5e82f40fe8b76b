/**
 * How context values are read by condition operators and splits; one place,
 * so the rules are the same for the schema, the evaluator and every SDK.
 * Nothing here uses a regular expression: the input is user data.
 */

/** The canonical string of a scalar for equality and string operators; `undefined` for anything else. */
export function canonicalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return undefined
}

/**
 * The unit a split hashes: a non-empty string, or a finite number as
 * `String(n)`. Anything else (missing, `""`, booleans, lists) is no unit: an
 * empty id is almost always "not signed in", and hashing it would put every
 * such user in one bucket.
 */
export function toUnit(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined
  return undefined
}

/**
 * The number a numeric operator reads: a finite number, or a string that is a
 * number literal with no surrounding whitespace (`"2.5"`, not `""` or `" 1"`);
 * `NaN` otherwise, which no comparison satisfies.
 */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN
  if (typeof value !== 'string' || value.length === 0) return Number.NaN
  if (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32) return Number.NaN
  const n = Number(value)
  return Number.isFinite(n) ? n : Number.NaN
}

/**
 * Epoch milliseconds of a date value: finite epoch milliseconds, or an ISO
 * 8601 string starting `YYYY-MM-DD`. A date-time with no offset is read as
 * UTC (not local time) so that every runtime agrees. `NaN` otherwise.
 */
export function toTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN
  if (typeof value !== 'string' || !startsWithIsoDate(value)) return Number.NaN
  return Date.parse(value.length > 10 && !hasOffset(value) ? `${value}Z` : value)
}

function startsWithIsoDate(s: string): boolean {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false
  return isDigits(s, 0, 4) && isDigits(s, 5, 7) && isDigits(s, 8, 10)
}

function isDigits(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** Ends in `Z` or `±hh:mm`. */
function hasOffset(s: string): boolean {
  const last = s.charCodeAt(s.length - 1)
  if (last === 90 || last === 122) return true
  const sign = s.charCodeAt(s.length - 6)
  return s.length > 16 && (sign === 43 || sign === 45) && s.charCodeAt(s.length - 3) === 58
}
