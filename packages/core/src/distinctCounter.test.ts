import { describe, expect, it } from 'vitest'
import { DistinctCounter } from './distinctCounter'
import { murmur3 } from './murmur3'

describe('DistinctCounter', () => {
  it('should count exactly below its capacity, ignoring repeats', () => {
    const counter = new DistinctCounter(64)
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) counter.add(murmur3(`user-${i}`))
    }
    expect(counter.count()).toBe(50)
  })

  it('should estimate large counts within 10 % in fixed memory', () => {
    for (const n of [5_000, 100_000]) {
      const counter = new DistinctCounter()
      for (let i = 0; i < n; i++) {
        counter.add(murmur3(`unit-${i}`))
        counter.add(murmur3(`unit-${i >> 1}`))
      }
      expect(Math.abs(counter.count() - n) / n).toBeLessThan(0.1)
    }
  })

  it('should merge two counters as the union of what they saw', () => {
    const a = new DistinctCounter(64)
    const b = new DistinctCounter(64)
    for (let i = 0; i < 30; i++) a.add(murmur3(`u-${i}`))
    for (let i = 20; i < 40; i++) b.add(murmur3(`u-${i}`))
    a.addAll(b)
    expect(a.count()).toBe(40)
    a.clear()
    expect(a.count()).toBe(0)
  })
})
