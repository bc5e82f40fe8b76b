import { LATENCY_BUCKETS_MS, type LatencySummary, type SignalsBatch } from '@floodgate/core'
import { describe, expect, it } from 'vitest'
import { RolloutSignals } from './rolloutSignals'

const target = { flagKey: 'new-checkout', treatment: 'on', control: 'off' }

function latency(buckets: number[]): LatencySummary {
  const full = LATENCY_BUCKETS_MS.map((_, i) => buckets[i] ?? 0)
  full.push(buckets[LATENCY_BUCKETS_MS.length] ?? 0)
  return { count: full.reduce((a, b) => a + b, 0), sumMs: 1234, maxMs: 600, buckets: full }
}

function batch(flags: SignalsBatch['flags'], tripped?: string[]): SignalsBatch {
  return {
    sdk: { name: 'node', version: '1.0.0', instanceId: 'i-1' },
    window: { start: 1_000, end: 11_000 },
    flags,
    ...(tripped && { tripped }),
  }
}

describe('RolloutSignals', () => {
  it('should take the two arms of the rollout from a batch and ignore everything else', () => {
    const delta = RolloutSignals.fromBatch(
      batch({
        'new-checkout': {
          on: { exposures: 50, successes: 45, errors: 5, errorUnits: 2 },
          off: { exposures: 950, successes: 940, errors: 10, errorUnits: 9 },
          beta: { exposures: 7, successes: 7, errors: 0, errorUnits: 0 },
        },
        'other-flag': { on: { exposures: 99, successes: 0, errors: 99, errorUnits: 99 } },
      }),
      target,
    )
    expect(delta).toEqual({
      treatment: { exposures: 50, errors: 5, errorUnits: 2, bad: 2, latency: null },
      control: { exposures: 950, errors: 10, errorUnits: 9, bad: 9, latency: null },
      tripped: false,
      window: { start: 1_000, end: 11_000 },
    })
  })

  it('should return null for a batch that does not concern the rollout', () => {
    expect(
      RolloutSignals.fromBatch(
        batch({ 'other-flag': { on: { exposures: 1, successes: 1, errors: 0, errorUnits: 0 } } }),
        target,
      ),
    ).toBeNull()
  })

  it('should report a local-guard trip even when the batch carries no signals for the flag', () => {
    const delta = RolloutSignals.fromBatch(batch({}, ['new-checkout']), target)
    expect(delta?.tripped).toBe(true)
    expect(delta?.treatment.exposures).toBe(0)
  })

  it('should fall back to raw errors when an SDK reports no error units', () => {
    const delta = RolloutSignals.fromBatch(
      batch({ 'new-checkout': { on: { exposures: 10, successes: 6, errors: 4, errorUnits: 0 } } }),
      target,
    )
    expect(delta?.treatment.bad).toBe(4)
    expect(delta?.control).toEqual({
      exposures: 0,
      errors: 0,
      errorUnits: 0,
      bad: 0,
      latency: null,
    })
  })

  it('should take 0 error units as real when the SDK listed its units (all seen before)', () => {
    const delta = RolloutSignals.fromBatch(
      batch({
        'new-checkout': {
          on: { exposures: 10, successes: 6, errors: 4, errorUnits: 0, errorUnitHashes: [3] },
        },
      }),
      target,
    )
    expect(delta?.treatment.bad).toBe(0)
  })

  it('should cap error units at errors', () => {
    const delta = RolloutSignals.fromBatch(
      batch({ 'new-checkout': { on: { exposures: 10, successes: 8, errors: 2, errorUnits: 5 } } }),
      target,
    )
    expect(delta?.treatment.bad).toBe(2)
  })

  it('should count raw errors when asked to', () => {
    const delta = RolloutSignals.fromBatch(
      batch({ 'new-checkout': { on: { exposures: 10, successes: 4, errors: 6, errorUnits: 1 } } }),
      { ...target, badEvents: 'errors' },
    )
    expect(delta?.treatment.bad).toBe(6)
  })

  it('should add spans, latency histograms included', () => {
    const a = {
      treatment: { exposures: 1, errors: 1, errorUnits: 1, bad: 1, latency: latency([1, 2]) },
      control: { exposures: 2, errors: 0, errorUnits: 0, bad: 0, latency: null },
    }
    const b = {
      treatment: { exposures: 3, errors: 2, errorUnits: 1, bad: 1, latency: latency([0, 1, 4]) },
      control: { exposures: 5, errors: 1, errorUnits: 1, bad: 1, latency: latency([3]) },
    }
    const sum = RolloutSignals.add(a, b)
    expect(sum.treatment).toMatchObject({ exposures: 4, errors: 3, errorUnits: 2, bad: 2 })
    expect(sum.treatment.latency).toEqual({
      count: 8,
      sumMs: 2468,
      maxMs: 600,
      buckets: latency([1, 3, 4]).buckets,
    })
    expect(sum.control.latency).toEqual(latency([3]))
    expect(RolloutSignals.add(RolloutSignals.empty(), RolloutSignals.empty())).toEqual(
      RolloutSignals.empty(),
    )
  })
})

describe('RolloutSignals.slowRequests', () => {
  // Buckets: ≤5 ≤10 ≤25 ≤50 ≤100 ≤250 ≤500 ≤1000 ≤2500 ≤5000 ≤10000 >10000
  const summary = latency([10, 0, 0, 0, 50, 20, 8, 4, 2, 1, 0, 1])

  it('should count the requests above the bucket bound the threshold rounds up to', () => {
    expect(RolloutSignals.slowRequests(summary, 300)).toEqual({
      requests: 96,
      slow: 8,
      thresholdMs: 500,
    })
    expect(RolloutSignals.slowRequests(summary, 500)).toEqual({
      requests: 96,
      slow: 8,
      thresholdMs: 500,
    })
    expect(RolloutSignals.slowRequests(summary, 501).slow).toBe(4)
  })

  it('should use the last bound past it, and zeros without a histogram', () => {
    expect(RolloutSignals.slowRequests(summary, 60_000)).toEqual({
      requests: 96,
      slow: 1,
      thresholdMs: 10_000,
    })
    expect(RolloutSignals.slowRequests(null, 300)).toEqual({
      requests: 0,
      slow: 0,
      thresholdMs: 500,
    })
  })
})
