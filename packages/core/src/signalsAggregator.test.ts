import { describe, expect, it, vi } from 'vitest'
import { ERROR_UNIT_HASH_SEED, MAX_ERROR_UNIT_HASHES } from './constants'
import { murmur3 } from './murmur3'
import { SignalsBatchSchema } from './schemas'
import { SignalsAggregator } from './signalsAggregator'
import { unitHash } from './unitHash'

const sdk = { name: 'test', version: '1.0.0', instanceId: 'i-1' }

function aggregator(start = 0, options: { urgentErrors?: number } = {}) {
  let now = start
  const signals = new SignalsAggregator({ sdk, now: () => now, ...options })
  return { signals, tick: (to: number) => (now = to) }
}

describe('SignalsAggregator', () => {
  it('should drain null when nothing happened, and restart the window', () => {
    const { signals } = aggregator(100)
    signals.track('a', ['on', 'off'], -1)
    expect(signals.drain(200)).toBeNull()
    const counters = signals.track('a', ['on', 'off'], -1)
    counters.exposures[0] = 1
    expect(signals.drain(300)?.window).toEqual({ start: 200, end: 300 })
  })

  it('should build a valid batch with a unique id and reset the counters', () => {
    const { signals, tick } = aggregator(1_000)
    const counters = signals.track('a', ['on', 'off'], 0)
    counters.exposures[0] = 3
    signals.recordOutcome(counters, 0, false, 12, unitHash('user-1'))
    signals.recordOutcome(counters, 0, false, 12_000, unitHash('user-1'))
    signals.recordOutcome(counters, 0, false, undefined, unitHash('user-2'))
    signals.recordOutcome(counters, 0, false)
    signals.recordOutcome(counters, 1, true, 3)
    tick(6_000)
    const first = signals.drain()
    expect(SignalsBatchSchema.parse(first)).toEqual(first)
    expect(first).toMatchObject({
      sdk,
      window: { start: 1_000, end: 6_000 },
      flags: {
        a: {
          on: {
            exposures: 3,
            successes: 0,
            errors: 4,
            errorUnits: 3,
            latencyMs: {
              count: 2,
              sumMs: 12_012,
              maxMs: 12_000,
              buckets: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            },
          },
          off: { exposures: 0, successes: 1, errors: 0, errorUnits: 0 },
        },
      },
    })
    counters.exposures[1] = 1
    const second = signals.drain(7_000)
    expect(second?.id).not.toBe(first?.id)
    expect(second?.flags).toEqual({
      a: { off: { exposures: 1, successes: 0, errors: 0, errorUnits: 0 } },
    })
  })

  it('should count distinct error units in bounded memory', () => {
    const { signals } = aggregator()
    const counters = signals.track('a', ['on', 'off'], 0)
    for (let i = 0; i < 100_000; i++) {
      signals.recordOutcome(counters, 0, false, undefined, unitHash(`user-${i % 50_000}`))
    }
    const on = signals.drain()?.flags.a?.on
    expect(on?.errors).toBe(100_000)
    expect(Math.abs((on?.errorUnits ?? 0) - 50_000) / 50_000).toBeLessThan(0.1)
  })

  it('should list the error units of a flag under a rollout, smallest hashes first, capped', () => {
    const { signals } = aggregator()
    const counters = signals.track('a', ['on', 'off'], 0)
    for (let i = 0; i < 300; i++)
      signals.recordOutcome(counters, 0, false, undefined, unitHash(`user-${i}`))
    signals.recordOutcome(counters, 0, false, undefined, unitHash('user-0'))
    signals.recordOutcome(counters, 0, false)
    signals.recordOutcome(counters, 1, false, undefined, unitHash('user-1'))
    const batch = signals.drain()
    expect(SignalsBatchSchema.safeParse(batch).success).toBe(true)
    const all = Array.from({ length: 300 }, (_, i) => murmur3(`user-${i}`, ERROR_UNIT_HASH_SEED))
    const on = batch?.flags.a?.on
    expect(on).toMatchObject({ errors: 302, errorUnits: 301, errorUnitHashesDropped: 45 })
    expect(on?.errorUnitHashes).toEqual(all.sort((x, y) => x - y).slice(0, MAX_ERROR_UNIT_HASHES))
    expect(batch?.flags.a?.off?.errorUnitHashes).toEqual([murmur3('user-1', ERROR_UNIT_HASH_SEED)])

    const plain = signals.track('b', ['on', 'off'], -1)
    signals.recordOutcome(plain, 0, false, undefined, unitHash('user-1'))
    expect(signals.drain()?.flags.b?.on).toEqual({
      exposures: 0,
      successes: 0,
      errors: 1,
      errorUnits: 1,
    })
  })

  it('should keep what a flag counted when it leaves or changes variants mid-window', () => {
    const { signals } = aggregator()
    const before = signals.track('a', ['on', 'off'], 0)
    before.exposures[0] = 2
    signals.recordOutcome(before, 0, false, undefined, unitHash('user-1'))
    const after = signals.track('a', ['off', 'on', 'maybe'], 1)
    expect(after).not.toBe(before)
    after.exposures[1] = 5
    after.exposures[2] = 1
    signals.recordOutcome(after, 1, false, undefined, unitHash('user-1'))
    const gone = signals.track('b', ['x'], -1)
    gone.exposures[0] = 7
    signals.untrack('b')
    expect(signals.drain()?.flags).toEqual({
      a: {
        on: {
          exposures: 7,
          successes: 0,
          errors: 2,
          errorUnits: 1,
          errorUnitHashes: [murmur3('user-1', ERROR_UNIT_HASH_SEED)],
          errorUnitHashesDropped: 0,
        },
        maybe: { exposures: 1, successes: 0, errors: 0, errorUnits: 0 },
      },
      b: { x: { exposures: 7, successes: 0, errors: 0, errorUnits: 0 } },
    })
    expect(signals.track('a', ['off', 'on', 'maybe'], 1)).toBe(after)
  })

  it('should report tripped flags once and fire urgent, surviving a throwing listener', () => {
    const { signals } = aggregator()
    const logger = { warn: vi.fn(), error: vi.fn() }
    const quiet = new SignalsAggregator({ sdk, logger })
    const seen = vi.fn()
    quiet.on('urgent', () => {
      throw new Error('listener bug')
    })
    quiet.on('urgent', seen)
    quiet.markTripped('a')
    expect(seen).toHaveBeenCalledWith({ type: 'urgent', flagKey: 'a', cause: 'localGuardTrip' })
    expect(logger.error).toHaveBeenCalledOnce()
    expect(quiet.drain()).toMatchObject({ flags: {}, tripped: ['a'] })
    expect(quiet.drain()).toBeNull()
    const off = signals.on('urgent', seen)
    off()
    signals.markTripped('a')
    expect(seen).toHaveBeenCalledOnce()
  })
})
