import { parseRolloutPlan, type RolloutPlan, type SignalsBatch } from '@floodgate/core'
import { describe, expect, it } from 'vitest'
import { RolloutMonitor, type RolloutMonitorState } from './rolloutMonitor'

const T0 = 1_700_000_000_000
const flagKey = 'new-checkout'

function plan(input: Record<string, unknown> = {}): RolloutPlan {
  const parsed = parseRolloutPlan({ treatment: 'on', control: 'off', ...input })
  if (!parsed.success) throw new Error(parsed.error.message)
  return parsed.data
}

/** One SDK's 10-second window ending at `end`, with these counts for treatment and control. */
function batch(
  end: number,
  t: { exposures: number; errors: number; units?: number },
  c: { exposures: number; errors: number; units?: number },
  tripped?: string[],
): SignalsBatch {
  const signals = (s: typeof t) => ({
    exposures: s.exposures,
    successes: s.exposures - s.errors,
    errors: s.errors,
    errorUnits: s.units ?? s.errors,
  })
  return {
    sdk: { name: 'node', version: '1.0.0', instanceId: 'i-1' },
    window: { start: end - 10_000, end },
    flags: { [flagKey]: { on: signals(t), off: signals(c) } },
    ...(tripped && { tripped }),
  }
}

function observeAll(state: RolloutMonitorState, p: RolloutPlan, batches: SignalsBatch[]) {
  return batches.reduce((s, b) => RolloutMonitor.observe(s, b, { flagKey, plan: p }), state)
}

/** `count` healthy windows at 1 %: 1 % errors in both arms. */
function healthy(from: number, count: number): SignalsBatch[] {
  return Array.from({ length: count }, (_, i) =>
    batch(
      from + (i + 1) * 10_000,
      { exposures: 10, errors: i % 10 === 0 ? 1 : 0 },
      {
        exposures: 990,
        errors: 10,
      },
    ),
  )
}

describe('RolloutMonitor', () => {
  it('should start at the first stage with fresh tests', () => {
    const state = RolloutMonitor.start(plan(), T0)
    expect(state.stage).toMatchObject({ index: 0, startedAt: T0, tripped: 0 })
    expect(state.latency).toBeNull()
    expect(state.errors.tolerance).toBe(0.1)
    expect(
      RolloutMonitor.start(plan({ guard: { latency: { thresholdMs: 300 } } }), T0).latency,
    ).not.toBeNull()
  })

  it('should test errors against the alternatives it is given', () => {
    const errors = RolloutMonitor.start(plan(), T0, {
      errorAlternatives: { ratios: [2, 4], weights: [3, 1] },
    }).errors
    expect(errors.ratios).toEqual([2, 4])
    expect(errors.weights).toEqual([0.75, 0.25])
    expect(RolloutMonitor.start(plan(), T0).errors.ratios).toHaveLength(9)
    expect(() =>
      RolloutMonitor.start(plan(), T0, { errorAlternatives: { ratios: [0.5] } }),
    ).toThrow(RangeError)
  })

  it('should promote a healthy canary after its minimum duration', () => {
    const p = plan()
    let state = RolloutMonitor.start(p, T0)
    state = observeAll(state, p, healthy(T0, 30))
    expect(RolloutMonitor.decide(state, p, T0 + 300_000).action).toBe('continue')
    state = observeAll(state, p, healthy(T0 + 300_000, 300))
    const decision = RolloutMonitor.decide(state, p, T0 + 3_300_000)
    expect(decision.action).toBe('promote')
    expect(decision.evidence.treatment.exposures).toBe(3300)
  })

  it('should revert a failing canary at once', () => {
    const p = plan()
    const state = observeAll(RolloutMonitor.start(p, T0), p, [
      batch(T0 + 2_000, { exposures: 6, errors: 3 }, { exposures: 600, errors: 6 }),
      batch(T0 + 3_000, { exposures: 5, errors: 3 }, { exposures: 500, errors: 5 }),
    ])
    expect(RolloutMonitor.decide(state, p, T0 + 3_000).action).toBe('revert')
  })

  it('should count error units, not retries, as bad events', () => {
    const p = plan()
    const state = observeAll(RolloutMonitor.start(p, T0), p, [
      batch(T0 + 10_000, { exposures: 20, errors: 12, units: 1 }, { exposures: 980, errors: 10 }),
    ])
    expect(state.stage.counts.treatment).toMatchObject({ errors: 12, errorUnits: 1, bad: 1 })
    expect(state.errors.treatment.bad).toBe(1)
  })

  it('should ignore other flags and batches from before the rollout', () => {
    const p = plan()
    const state = RolloutMonitor.start(p, T0)
    const other: SignalsBatch = {
      ...batch(T0 + 10_000, { exposures: 1, errors: 1 }, { exposures: 1, errors: 0 }),
      flags: {},
    }
    expect(RolloutMonitor.observe(state, other, { flagKey, plan: p })).toBe(state)
    const stale = batch(T0 - 1, { exposures: 10, errors: 10 }, { exposures: 10, errors: 0 })
    expect(RolloutMonitor.observe(state, stale, { flagKey, plan: p })).toBe(state)
  })

  it('should count local-guard trips in the stage', () => {
    const p = plan()
    const state = observeAll(RolloutMonitor.start(p, T0), p, [
      batch(T0 + 10_000, { exposures: 10, errors: 0 }, { exposures: 990, errors: 10 }, [flagKey]),
      batch(T0 + 20_000, { exposures: 10, errors: 0 }, { exposures: 990, errors: 10 }, ['other']),
    ])
    expect(state.stage.tripped).toBe(1)
  })

  it('should carry the tests across a stage change and start the stage counts afresh', () => {
    const p = plan()
    let state = observeAll(RolloutMonitor.start(p, T0), p, healthy(T0, 20))
    const errors = state.errors
    state = RolloutMonitor.enterStage(state, 1, T0 + 200_000)
    expect(state.errors).toBe(errors)
    expect(state.stage).toMatchObject({ index: 1, startedAt: T0 + 200_000, tripped: 0 })
    expect(state.stage.counts.treatment.exposures).toBe(0)
    // A late batch from before the change feeds the tests but not the new stage's counts.
    state = observeAll(state, p, [
      batch(T0 + 195_000, { exposures: 10, errors: 1 }, { exposures: 990, errors: 10 }),
    ])
    expect(state.errors.batches).toBe(errors.batches + 1)
    expect(state.stage.counts.treatment.exposures).toBe(0)
  })

  it('should leave the sample-ratio check out of the first minute of a stage', () => {
    const p = plan()
    let state = RolloutMonitor.enterStage(RolloutMonitor.start(p, T0), 1, T0 + 600_000)
    // SDKs still at 1 % right after the change to 5 %.
    state = observeAll(state, p, [
      batch(T0 + 610_000, { exposures: 10, errors: 0 }, { exposures: 990, errors: 10 }),
      batch(T0 + 660_000, { exposures: 10, errors: 0 }, { exposures: 990, errors: 10 }),
    ])
    expect(state.sampleRatio.batches).toBe(0)
    state = observeAll(state, p, [
      batch(T0 + 680_000, { exposures: 50, errors: 0 }, { exposures: 950, errors: 10 }),
    ])
    expect(state.sampleRatio.batches).toBe(1)
    expect(state.sampleRatio.expectedTreatmentExposures).toBeCloseTo(50, 10)
  })

  it('should pause on a lopsided split and start the check over on resume', () => {
    const p = plan()
    let state = RolloutMonitor.start(p, T0)
    const skewed = Array.from({ length: 60 }, (_, i) =>
      batch(T0 + 70_000 + i * 10_000, { exposures: 30, errors: 0 }, { exposures: 970, errors: 10 }),
    )
    state = observeAll(state, p, skewed)
    expect(RolloutMonitor.decide(state, p, T0 + 700_000).action).toBe('pause')
    const resumed = RolloutMonitor.resume(state)
    expect(resumed.sampleRatio.batches).toBe(0)
    expect(resumed.sampleRatio.above.clusterSize).toBe(state.sampleRatio.above.clusterSize)
    expect(resumed.errors).toBe(state.errors)
    expect(RolloutMonitor.decide(resumed, p, T0 + 700_000).action).not.toBe('pause')
  })

  it('should continue after a restart exactly as without one', () => {
    const p = plan({ guard: { latency: { thresholdMs: 300 } } })
    const batches = healthy(T0, 40)
    const straight = observeAll(RolloutMonitor.start(p, T0), p, batches)
    const before = observeAll(RolloutMonitor.start(p, T0), p, batches.slice(0, 25))
    const loaded = RolloutMonitor.parse(JSON.parse(JSON.stringify(before)))
    expect(loaded.success).toBe(true)
    if (!loaded.success) return
    expect(observeAll(loaded.data, p, batches.slice(25))).toEqual(straight)
  })

  it('should reject a state that is not one', () => {
    const state = RolloutMonitor.start(plan(), T0)
    expect(RolloutMonitor.parse({ ...state, schemaVersion: 2 }).success).toBe(false)
    expect(
      RolloutMonitor.parse({ ...state, errors: { ...state.errors, weights: [1] } }).success,
    ).toBe(false)
    expect(RolloutMonitor.parse('{}').success).toBe(false)
  })

  it('should reject invalid times, stages and options', () => {
    const p = plan()
    expect(() => RolloutMonitor.start(p, Number.NaN)).toThrow(/startedAt/)
    expect(() => RolloutMonitor.start(p, T0, { sampleRatioGraceSec: -1 })).toThrow(/grace/i)
    const state = RolloutMonitor.start(p, T0)
    expect(() => RolloutMonitor.enterStage(state, 1.5, T0)).toThrow(/stage index/)
    const beyond = RolloutMonitor.enterStage(state, 9, T0)
    expect(() =>
      RolloutMonitor.observe(beyond, healthy(T0, 1)[0] as SignalsBatch, { flagKey, plan: p }),
    ).toThrow(/stage 9/)
  })
})
