import { describe, expect, it } from 'vitest'
import { Backoff } from './backoff'

describe('Backoff', () => {
  it('should double the ceiling per failure up to maxMs, with full jitter below it', () => {
    const top = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 })
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([99, 199, 399, 799, 999, 999])
    const bottom = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 })
    expect(bottom.next()).toBe(0)
  })

  it('should start again from initialMs after reset, and count failures in a row', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.5 })
    backoff.next()
    backoff.next()
    expect(backoff.failures).toBe(2)
    backoff.reset()
    expect(backoff.failures).toBe(0)
    expect(backoff.next()).toBe(50)
  })

  it('should wait at least half the cap after a failure that retrying soon cannot fix', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 })
    expect(backoff.max()).toBe(500)
    expect(backoff.failures).toBe(1)
  })
})
