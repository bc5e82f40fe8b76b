import { describe, expect, it } from 'vitest'
import { checkShares, overallShare, tolerancePp } from './shares'

const counts = (targeted: number, other: number, total = 500_000) => ({
  targeted: { enabled: targeted, total },
  other: { enabled: other, total },
})

describe('checkShares', () => {
  it('should accept shares within half a percentage point', () => {
    expect(checkShares('country-canary', counts(500_000, 126_000))).toEqual([])
    expect(checkShares('canary-10', counts(49_000, 51_000))).toEqual([])
  })

  it('should name the flag and group that strayed', () => {
    const problems = checkShares('country-canary', counts(500_000, 135_000))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/country-canary: other users enabled 27\.00 %/)
  })

  it('should catch a rule that was not applied to the targeted group', () => {
    expect(checkShares('country-canary', counts(125_000, 125_000))).toHaveLength(1)
  })

  it('should report a group with no users', () => {
    expect(checkShares('on-off', counts(0, 0, 0))).toHaveLength(2)
  })
})

describe('tolerancePp', () => {
  it('should be half a point for a million users and wider for a few thousand', () => {
    expect(tolerancePp(0.25, 500_000)).toBe(0.5)
    expect(tolerancePp(0.25, 5_000)).toBeCloseTo(3.06, 2)
  })
})

describe('overallShare', () => {
  it('should pool both groups', () => {
    expect(overallShare(counts(500_000, 125_000))).toBe(0.625)
  })
})
