import { describe, expect, it } from 'vitest'
import { median } from './stats'

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
