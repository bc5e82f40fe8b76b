import { LATENCY_BUCKETS_MS, parseRolloutPlan, type RolloutPlan } from '@floodgate/core'
import { describe, expect, it } from 'vitest'
import type { ArmCounts, RolloutArms } from './rolloutSignals'
import { SampleRatioTest } from './sampleRatioTest'
import { SequentialTest, type SequentialTestState } from './sequentialTest'
import { StagePolicy, type StagePolicyInput } from './stagePolicy'

function plan(input: Record<string, unknown> = {}): RolloutPlan {
  const parsed = parseRolloutPlan({
    treatment: 'on',
    control: 'off',
    stages: [
      { percent: 1, minDurationSec: 600, maxDurationSec: 7200 },
      { percent: 5, minDurationSec: 600 },
      { percent: 100 },
    ],
    ...input,
  })
  if (!parsed.success) throw new Error(parsed.error.message)
  return parsed.data
}

function arm(exposures: number, bad: number, slow?: number): ArmCounts {
  const buckets = LATENCY_BUCKETS_MS.map(() => 0)
  buckets.push(0)
  buckets[0] = exposures - (slow ?? 0)
  buckets[LATENCY_BUCKETS_MS.length] = slow ?? 0
  return {
    exposures,
    errors: bad,
    errorUnits: bad,
    bad,
    latency: slow === undefined ? null : { count: exposures, sumMs: 0, maxMs: 0, buckets },
  }
}

/** A stage with plenty of evidence (50 expected bad events) and nothing wrong. */
const healthy: RolloutArms = { treatment: arm(5000, 50, 100), control: arm(495_000, 4950, 9900) }

function fired(): SequentialTestState {
  return SequentialTest.update(SequentialTest.create(), {
    treatmentExposures: 500,
    controlExposures: 9500,
    treatmentBad: 60,
    controlBad: 95,
  })
}

function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value]
  if (value && typeof value === 'object') return Object.values(value).flatMap(numbersIn)
  return []
}

const T0 = 1_700_000_000_000
const MIN = 60_000

function input(overrides: Partial<StagePolicyInput> = {}): StagePolicyInput {
  return {
    plan: plan(),
    stageIndex: 0,
    stageStartedAt: T0,
    now: T0 + 20 * MIN,
    counts: healthy,
    tests: {
      errors: SequentialTest.create(),
      latency: null,
      sampleRatio: SampleRatioTest.create(),
    },
    tripped: 0,
    ...overrides,
  }
}

describe('StagePolicy', () => {
  it('should promote after the minimum duration with enough evidence and no alarm', () => {
    const decision = StagePolicy.decide(input())
    expect(decision.action).toBe('promote')
    expect(decision.reason).toMatch(/on to 5 %/)
    expect(decision.evidence).toMatchObject({
      stageIndex: 0,
      percent: 1,
      elapsedSec: 1200,
      minDurationSec: 600,
      maxDurationSec: 7200,
      expectedBadEvents: 50,
      minEvidence: 30,
      tripped: 0,
    })
    expect(decision.evidence.treatment).toEqual({
      exposures: 5000,
      errors: 50,
      errorUnits: 50,
      badEvents: 50,
      badRate: 0.01,
    })
    expect(decision.evidence.errorTest).toMatchObject({ threshold: 100, alpha: 0.01, alarm: false })
  })

  it('should continue before the minimum duration', () => {
    const decision = StagePolicy.decide(input({ now: T0 + 5 * MIN }))
    expect(decision.action).toBe('continue')
    expect(decision.reason).toMatch(/300 s of its minimum 600 s/)
  })

  it('should revert as soon as the error test fires, whatever the stage clock', () => {
    const decision = StagePolicy.decide(
      input({
        now: T0 + 1000,
        tests: { errors: fired(), latency: null, sampleRatio: SampleRatioTest.create() },
      }),
    )
    expect(decision.action).toBe('revert')
    expect(decision.reason).toMatch(/error rate is above control's/)
    expect(decision.evidence.errorTest.alarm).toBe(true)
    expect(decision.evidence.errorTest.peakStatistic).toBeGreaterThanOrEqual(100)
  })

  it('should revert on the latency guard, each test at alpha / 2', () => {
    const slowPlan = plan({ guard: { latency: { thresholdMs: 250 } } })
    const decision = StagePolicy.decide(
      input({
        plan: slowPlan,
        tests: {
          errors: SequentialTest.create(),
          latency: fired(),
          sampleRatio: SampleRatioTest.create(),
        },
      }),
    )
    expect(decision.action).toBe('revert')
    expect(decision.reason).toMatch(/slower than control/)
    expect(decision.evidence.errorTest.alpha).toBe(0.005)
    expect(decision.evidence.latency).toMatchObject({
      thresholdMs: 250,
      effectiveThresholdMs: 250,
      treatment: { requests: 5000, slow: 100, slowRate: 0.02 },
      control: { requests: 495_000, slow: 9900, slowRate: 0.02 },
      expectedSlow: 100,
      test: { alpha: 0.005, threshold: 200, alarm: true },
    })
  })

  it('should pause on a sample-ratio mismatch, and say what local guards did', () => {
    let sampleRatio = SampleRatioTest.create()
    for (let i = 0; i < 50; i++) {
      sampleRatio = SampleRatioTest.update(sampleRatio, {
        treatmentExposures: 200,
        controlExposures: 9800,
        expectedShare: 0.01,
      })
    }
    const decision = StagePolicy.decide(
      input({ tests: { errors: SequentialTest.create(), latency: null, sampleRatio }, tripped: 2 }),
    )
    expect(decision.action).toBe('pause')
    expect(decision.reason).toMatch(/sample ratio mismatch: treatment got 2 % of exposures/)
    expect(decision.reason).toMatch(/tripped 2 time/)
    expect(decision.evidence.sampleRatio).toMatchObject({ configuredShare: 0.01, alarm: true })
  })

  it('should revert rather than pause when both fire', () => {
    let sampleRatio = SampleRatioTest.create()
    for (let i = 0; i < 50; i++) {
      sampleRatio = SampleRatioTest.update(sampleRatio, {
        treatmentExposures: 200,
        controlExposures: 9800,
        expectedShare: 0.01,
      })
    }
    const decision = StagePolicy.decide(
      input({ tests: { errors: fired(), latency: null, sampleRatio } }),
    )
    expect(decision.action).toBe('revert')
  })

  it('should complete at once at 100 %, where no control arm is left', () => {
    const decision = StagePolicy.decide(
      input({
        stageIndex: 2,
        now: T0,
        counts: { treatment: arm(1000, 10), control: arm(0, 0) },
      }),
    )
    expect(decision.action).toBe('complete')
    expect(decision.reason).toMatch(/the guard was checked at the stage before/)
    expect(decision.evidence.control.badRate).toBe(0)
  })

  it('should say so when a plan starts at 100 %', () => {
    const decision = StagePolicy.decide(input({ plan: plan({ stages: [{ percent: 100 }] }) }))
    expect(decision.action).toBe('complete')
    expect(decision.reason).toMatch(/nothing was compared/)
  })

  it('should complete when the last stage below 100 % passes', () => {
    const decision = StagePolicy.decide(
      input({ plan: plan({ stages: [{ percent: 10, minDurationSec: 60 }] }) }),
    )
    expect(decision.action).toBe('complete')
    expect(decision.reason).toMatch(/the last stage/)
  })

  it('should hold at the maximum duration when evidence is short, and promote once it is there', () => {
    const short: RolloutArms = { treatment: arm(1000, 10), control: arm(99_000, 990) }
    const held = StagePolicy.decide(input({ now: T0 + 121 * MIN, counts: short }))
    expect(held.action).toBe('hold')
    expect(held.reason).toMatch(
      /maximum of 7200 s with too little evidence \(10 of 30 expected bad events\)/,
    )
    expect(StagePolicy.decide(input({ now: T0 + 20 * MIN, counts: short })).action).toBe('continue')
    expect(StagePolicy.decide(input({ now: T0 + 130 * MIN })).action).toBe('promote')
  })

  it('should wait for evidence without a maximum duration', () => {
    const decision = StagePolicy.decide(
      input({
        stageIndex: 1,
        now: T0 + 1000 * MIN,
        counts: { treatment: arm(1000, 0), control: arm(19_000, 0) },
      }),
    )
    expect(decision.action).toBe('continue')
    expect(decision.reason).toMatch(/waiting for evidence: 0 of 30/)
  })

  it('should ask for slow-call evidence too when latency is guarded', () => {
    const slowPlan = plan({ guard: { latency: { thresholdMs: 250 } } })
    const counts: RolloutArms = { treatment: arm(5000, 50, 2), control: arm(495_000, 4950, 198) }
    const decision = StagePolicy.decide(
      input({
        plan: slowPlan,
        counts,
        tests: {
          errors: SequentialTest.create(),
          latency: SequentialTest.create(),
          sampleRatio: SampleRatioTest.create(),
        },
      }),
    )
    expect(decision.action).toBe('continue')
    expect(decision.reason).toMatch(/2 of 30 expected slow calls/)
  })

  it('should hold rather than promote when local guards tripped, without reverting', () => {
    const decision = StagePolicy.decide(input({ tripped: 3 }))
    expect(decision.action).toBe('hold')
    expect(decision.reason).toMatch(/local guards tripped 3 time/)
  })

  it('should use the stage minimum evidence over the guard one', () => {
    const decision = StagePolicy.decide(
      input({
        plan: plan({
          stages: [{ percent: 1, minDurationSec: 600, minEvidence: 80 }, { percent: 100 }],
        }),
      }),
    )
    expect(decision.action).toBe('continue')
    expect(decision.evidence.minEvidence).toBe(80)
  })

  it('should give JSON-safe evidence without NaN when nothing was seen', () => {
    const decision = StagePolicy.decide(
      input({ counts: { treatment: arm(0, 0), control: arm(0, 0) } }),
    )
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision)
    expect(numbersIn(decision.evidence).every(Number.isFinite)).toBe(true)
    expect(decision.evidence.expectedBadEvents).toBe(0)
  })

  it('should reject a stage outside the plan and test states that do not match it', () => {
    expect(() => StagePolicy.decide(input({ stageIndex: 3 }))).toThrow(RangeError)
    expect(() =>
      StagePolicy.decide(input({ plan: plan({ guard: { latency: { thresholdMs: 250 } } }) })),
    ).toThrow(/latency/)
  })
})
