/**
 * Semantic versions (2.0.0) parsed by hand, not by a regular expression,
 * because the input is a context attribute (user data). Numeric parts are
 * kept as digit strings so that versions beyond 2^53 still compare exactly.
 */
export interface Semver {
  readonly core: readonly [string, string, string]
  readonly pre: readonly string[]
}

const MAX_LENGTH = 256

/** Parses `1.2.3`, `v1.2.3-beta.1+build.5`; `undefined` for anything else. */
export function parseSemver(input: string): Semver | undefined {
  if (input.length === 0 || input.length > MAX_LENGTH) return undefined
  let i = input.charCodeAt(0) === 118 /* v */ ? 1 : 0
  const core: string[] = []
  for (let part = 0; part < 3; part++) {
    const start = i
    while (i < input.length && isDigit(input.charCodeAt(i))) i++
    if (!isNumericIdentifier(input, start, i)) return undefined
    core.push(input.slice(start, i))
    if (part < 2) {
      if (input.charCodeAt(i) !== 46 /* . */) return undefined
      i++
    }
  }
  const pre: string[] = []
  if (input.charCodeAt(i) === 45 /* - */) {
    i++
    for (;;) {
      const start = i
      while (i < input.length && isIdentifierChar(input.charCodeAt(i))) i++
      if (start === i) return undefined
      if (allDigits(input, start, i) && !isNumericIdentifier(input, start, i)) return undefined
      pre.push(input.slice(start, i))
      if (input.charCodeAt(i) !== 46) break
      i++
    }
  }
  if (input.charCodeAt(i) === 43 /* + */) {
    i++
    for (;;) {
      const start = i
      while (i < input.length && isIdentifierChar(input.charCodeAt(i))) i++
      if (start === i) return undefined
      if (input.charCodeAt(i) !== 46) break
      i++
    }
  }
  if (i !== input.length) return undefined
  return { core: core as [string, string, string], pre }
}

/** Semver precedence: negative, zero or positive; build metadata is ignored. */
export function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i] as string, b.core[i] as string)
    if (c !== 0) return c
  }
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length
  const n = Math.min(a.pre.length, b.pre.length)
  for (let i = 0; i < n; i++) {
    const x = a.pre[i] as string
    const y = b.pre[i] as string
    const xNum = allDigits(x, 0, x.length)
    const yNum = allDigits(y, 0, y.length)
    let c: number
    if (xNum && yNum) c = compareDigits(x, y)
    else if (xNum) c = -1
    else if (yNum) c = 1
    else c = x < y ? -1 : x > y ? 1 : 0
    if (c !== 0) return c
  }
  return a.pre.length - b.pre.length
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

function isIdentifierChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45
}

function allDigits(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(s.charCodeAt(i))) return false
  return true
}

/** Digits with no leading zero (`0` itself is fine). */
function isNumericIdentifier(s: string, start: number, end: number): boolean {
  if (start === end) return false
  return end - start === 1 || s.charCodeAt(start) !== 48
}
