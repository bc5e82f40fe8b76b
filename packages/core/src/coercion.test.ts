import { describe, expect, it } from 'vitest'
import { canonicalString, toNumber, toTime, toUnit } from './coercion'

describe('canonicalString', () => {
  it('should give scalars one string form and nothing else a form', () => {
    expect(canonicalString('NZ')).toBe('NZ')
    expect(canonicalString(42)).toBe('42')
    expect(canonicalString(1.5)).toBe('1.5')
    expect(canonicalString(false)).toBe('false')
    expect(canonicalString(Number.NaN)).toBeUndefined()
    expect(canonicalString(null)).toBeUndefined()
    expect(canonicalString({})).toBeUndefined()
  })
})

describe('toUnit', () => {
  it('should take non-empty strings and finite numbers as units', () => {
    expect(toUnit('user-1')).toBe('user-1')
    expect(toUnit(42)).toBe('42')
    expect(toUnit('')).toBeUndefined()
    expect(toUnit(true)).toBeUndefined()
    expect(toUnit(Number.POSITIVE_INFINITY)).toBeUndefined()
  })
})

describe('toNumber', () => {
  it('should read numbers and number literals, NaN for the rest', () => {
    expect(toNumber(3)).toBe(3)
    expect(toNumber('2.5')).toBe(2.5)
    expect(toNumber('-1e3')).toBe(-1000)
    for (const v of ['', ' 1', '1 ', 'abc', 'Infinity', true, null, [1]]) {
      expect(toNumber(v)).toBeNaN()
    }
  })
})

describe('toTime', () => {
  it('should read epoch milliseconds and ISO 8601, with no offset meaning UTC', () => {
    expect(toTime(1_700_000_000_000)).toBe(1_700_000_000_000)
    expect(toTime('2025-01-31')).toBe(Date.UTC(2025, 0, 31))
    expect(toTime('2025-01-31T12:00:00')).toBe(Date.UTC(2025, 0, 31, 12))
    expect(toTime('2025-01-31T12:00:00Z')).toBe(Date.UTC(2025, 0, 31, 12))
    expect(toTime('2025-01-31T12:00:00+02:00')).toBe(Date.UTC(2025, 0, 31, 10))
    for (const v of ['31/01/2025', 'tomorrow', '2025-13-45', '', true]) expect(toTime(v)).toBeNaN()
  })
})
