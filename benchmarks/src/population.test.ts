import { describe, expect, it } from 'vitest'
import { createPopulation, TARGET_COUNTRIES } from './population'

describe('createPopulation', () => {
  it('should number users from user-1 and target exactly half of them', () => {
    const users = createPopulation(1000)
    expect(users).toHaveLength(1000)
    expect(users[0]?.userId).toBe('user-1')
    expect(users[999]?.userId).toBe('user-1000')
    expect(users.filter((u) => u.targeted)).toHaveLength(500)
  })

  it('should mark a user targeted exactly when the country is one of the five', () => {
    const targets: readonly string[] = TARGET_COUNTRIES
    for (const user of createPopulation(100)) {
      expect(user.targeted).toBe(targets.includes(user.country))
    }
  })

  it('should reject sizes that cannot split evenly', () => {
    expect(() => createPopulation(15)).toThrow(RangeError)
    expect(() => createPopulation(0)).toThrow(RangeError)
    expect(() => createPopulation(10.5)).toThrow(RangeError)
  })
})
