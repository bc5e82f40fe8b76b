import { describe, expect, it } from 'vitest'
import { median, quantile } from './stats'

describe('median', () => {
  it('should take the middle value of an odd count, unsorted input', () => {
    expect(median([9, 1, 5])).toBe(5)
  })

  it('should average the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('should refuse an empty list', () => {
    expect(() => median([])).toThrow(RangeError)
  })
})

describe('quantile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i)

  it('should take the nearest rank of unsorted input', () => {
    expect(quantile(hundred, 0.99)).toBe(99)
    expect(quantile(hundred, 0.5)).toBe(50)
    expect(quantile(hundred, 1)).toBe(100)
    expect(quantile(hundred, 0)).toBe(1)
  })

  it('should refuse an empty list and a q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError)
    expect(() => quantile([1], 1.5)).toThrow(/between 0 and 1/)
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError)
  })
})
