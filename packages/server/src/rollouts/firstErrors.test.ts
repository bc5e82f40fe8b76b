import type { RolloutPlan, SignalsBatch } from '@floodgate/core'
import { parseRolloutPlan } from '@floodgate/core'
import { describe, expect, it } from 'vitest'
import { FirstErrors } from './firstErrors'
import { RolloutMonitor } from './rolloutMonitor'

const plan = (parseRolloutPlan({ treatment: 'on', control: 'off' }) as { data: RolloutPlan }).data
const batch = (on: Record<string, unknown>, off: Record<string, unknown>): SignalsBatch => ({
  sdk: { name: 't', version: '1', instanceId: 'i' },
  window: { start: 1_000, end: 2_000 },
  flags: {
    a: {
      on: { exposures: 100, successes: 90, errors: 10, errorUnits: 4, ...on },
      off: { exposures: 100, successes: 99, errors: 1, errorUnits: 1, ...off },
    },
  },
})

describe('FirstErrors', () => {
  it('should recount listed units by what the store has not seen, keeping unlisted ones', () => {
    const b = batch(
      { errorUnitHashes: [1, 2, 3], errorUnitHashesDropped: 1 },
      { errorUnitHashes: [9], errorUnitHashesDropped: 0 },
    )
    expect(FirstErrors.hashesOf(b, 'a')).toEqual({ on: [1, 2, 3], off: [9] })
    expect(FirstErrors.hashesOf(b, 'missing')).toEqual({})
    const counted = FirstErrors.apply(b, 'a', plan, { on: 1, off: 0 })
    expect(counted.firstErrorsPerStage).toBe(true)
    expect(counted.batch.flags.a?.on?.errorUnits).toBe(2)
    expect(counted.batch.flags.a?.off?.errorUnits).toBe(0)
    expect(b.flags.a?.on?.errorUnits).toBe(4)
  })

  it('should keep per-window counts, and say so, when an arm with errors lists no hashes', () => {
    const b = batch({ errorUnitHashes: [1, 2, 3, 4] }, {})
    const counted = FirstErrors.apply(b, 'a', plan, { on: 4 })
    expect(counted.firstErrorsPerStage).toBe(false)
    expect(counted.batch.flags.a?.off?.errorUnits).toBe(1)
    expect(
      FirstErrors.apply(batch({ errorUnitHashes: [1] }, { errors: 0, errorUnits: 0 }), 'a', plan, {
        on: 1,
      }).firstErrorsPerStage,
    ).toBe(true)
  })

  it('should let the monitor compare first errors at the configured share', () => {
    const start = RolloutMonitor.start(plan, 0)
    // Treatment gets half the exposures but the split gives it 1 %: by exposure
    // 5 of 10 bad events is fair, by unit it is 50 times the share.
    const b: SignalsBatch = {
      sdk: { name: 't', version: '1', instanceId: 'i' },
      window: { start: 1_000, end: 2_000 },
      flags: {
        'new-checkout': {
          on: {
            exposures: 500,
            successes: 495,
            errors: 5,
            errorUnits: 5,
            errorUnitHashes: [1, 2, 3, 4, 5],
          },
          off: {
            exposures: 500,
            successes: 495,
            errors: 5,
            errorUnits: 5,
            errorUnitHashes: [6, 7, 8, 9, 10],
          },
        },
      },
    }
    const target = { flagKey: 'new-checkout', plan }
    const byExposure = RolloutMonitor.observe(start, b, target)
    const byUnit = RolloutMonitor.observe(start, b, target, { firstErrorsPerStage: true })
    expect(byExposure.errors.expectedTreatmentBad).toBeCloseTo(5)
    expect(byUnit.errors.expectedTreatmentBad).toBeCloseTo(0.1)
    expect(RolloutMonitor.decide(byUnit, plan, 2_000).action).toBe('revert')
    expect(RolloutMonitor.decide(byExposure, plan, 2_000).action).toBe('continue')
  })
})
