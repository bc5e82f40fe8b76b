import type { RolloutPlan } from '@floodgate/core'
import { type ArmCounts, type RolloutArms, RolloutSignals } from './rolloutSignals'
import {
  type SampleRatioResult,
  SampleRatioTest,
  type SampleRatioTestState,
} from './sampleRatioTest'
import { SequentialTest, type SequentialTestState } from './sequentialTest'

/**
 * What the controller does after a tick. `continue`: nothing. `promote`: move
 * to the next stage. `complete`: the rollout is done. `hold`: stay at this
 * stage and tell someone (it still promotes by itself once the reason goes
 * away). `revert`: treatment is worse than control, apply the plan's
 * `onFailure`. `pause`: the data cannot be trusted; stop until an operator
 * resumes.
 */
export type StageAction = 'continue' | 'promote' | 'complete' | 'hold' | 'revert' | 'pause'

/** One arm in a stage, as a person reads it. */
export type ArmEvidence = {
  exposures: number
  errors: number
  errorUnits: number
  /** Bad events as the rollout counts them (units with errors, by default). */
  badEvents: number
  /** `badEvents / exposures`, 0 without exposures. */
  badRate: number
}

/** Where one sequential test stands, over the whole rollout. */
export type TestEvidence = {
  /** `M`, the mixture likelihood ratio: how many times better "treatment is worse than tolerated" explains the data than "it is not". */
  statistic: number
  /** The largest `M` so far (the alarm fires when this reaches the threshold). */
  peakStatistic: number
  /** `1/α`. */
  threshold: number
  alpha: number
  tolerance: number
  alarm: boolean
  /** Bad events in treatment since the rollout started. */
  treatmentBad: number
  /** What treatment would have had at control's rate, batch by batch. */
  expectedTreatmentBad: number
  /** Batches that carried information. */
  batches: number
}

/** The latency guard: calls slower than the threshold are its bad events. */
export type LatencyEvidence = {
  thresholdMs: number
  /** The histogram bucket bound the threshold rounds up to. */
  effectiveThresholdMs: number
  treatment: { requests: number; slow: number; slowRate: number }
  control: { requests: number; slow: number; slowRate: number }
  /** Slow calls treatment would have had this stage at control's rate. */
  expectedSlow: number
  test: TestEvidence
}

/** Everything a decision rested on. JSON-safe: it is stored and shown as it is. */
export type StageEvidence = {
  stageIndex: number
  percent: number
  elapsedSec: number
  minDurationSec: number
  maxDurationSec: number | null
  /** This stage's counts (the tests below span the whole rollout). */
  treatment: ArmEvidence
  control: ArmEvidence
  /** Bad events treatment would have had this stage at control's rate: `n_T × bad_C / n_C`. */
  expectedBadEvents: number
  /** How much of that promotion needs. */
  minEvidence: number
  errorTest: TestEvidence
  latency: LatencyEvidence | null
  sampleRatio: {
    configuredShare: number
    observedShare: number
    statistic: number
    threshold: number
    alarm: boolean
  }
  /** Local-guard trip reports received during this stage. */
  tripped: number
}

/** A decision with its reason, in words and in numbers. */
export type StageDecision = { action: StageAction; reason: string; evidence: StageEvidence }

/** What the policy looks at on every tick. */
export interface StagePolicyInput {
  plan: RolloutPlan
  stageIndex: number
  /** Epoch milliseconds. */
  stageStartedAt: number
  /** Epoch milliseconds. */
  now: number
  /** This stage's accumulated counts. */
  counts: RolloutArms
  /** The rollout's tests: errors, latency (when the plan guards it) and sample ratio. */
  tests: {
    errors: SequentialTestState
    latency: SequentialTestState | null
    sampleRatio: SampleRatioTestState
  }
  /** Local-guard trip reports received during this stage. */
  tripped: number
}

/**
 * The pure decision the rollout controller takes on every tick.
 *
 * In order: a test that fired reverts (at once, whatever the stage clock
 * says); a sample-ratio mismatch pauses; 100 % completes (no control arm is
 * left; the guard was checked at the stage before); before the stage's
 * minimum duration nothing happens; with enough evidence the stage promotes
 * (completes, at the last stage), unless local guards tripped during it,
 * which holds; past the maximum duration without enough evidence it holds.
 * A local-guard trip alone never reverts: the statistics decide.
 *
 * When the plan guards latency, the error and latency tests get `α/2` each,
 * so that the plan's `alpha` still bounds false reverts.
 *
 * @example
 * ```ts
 * const decision = StagePolicy.decide({ plan, stageIndex, stageStartedAt, now: Date.now(), counts, tests, tripped })
 * if (decision.action === 'revert') await controller.revert(decision)
 * ```
 */
export const StagePolicy = {
  decide(input: StagePolicyInput): StageDecision {
    const { plan, stageIndex, counts, tests } = input
    const stage = plan.stages[stageIndex]
    if (!stage) {
      throw new RangeError(
        `stageIndex ${stageIndex} is outside the plan's ${plan.stages.length} stages`,
      )
    }
    const latencyGuard = plan.guard.latency
    if (Boolean(latencyGuard) !== Boolean(tests.latency)) {
      throw new RangeError(
        latencyGuard
          ? 'the plan guards latency but no latency test state was given'
          : 'a latency test state was given but the plan does not guard latency',
      )
    }
    const alpha = latencyGuard ? plan.guard.alpha / 2 : plan.guard.alpha
    const minEvidence = stage.minEvidence ?? plan.guard.minEvidence
    const elapsedSec = Math.max(0, (input.now - input.stageStartedAt) / 1000)
    const expectedBadEvents = expectedAtControlRate(
      counts.treatment.exposures,
      counts.control.bad,
      counts.control.exposures,
    )
    const errorTest = testEvidence(tests.errors, alpha)
    const latency =
      latencyGuard && tests.latency
        ? latencyEvidence(counts, latencyGuard, testEvidence(tests.latency, alpha))
        : null
    const srm = SampleRatioTest.result(tests.sampleRatio)
    const evidence: StageEvidence = {
      stageIndex,
      percent: stage.percent,
      elapsedSec,
      minDurationSec: stage.minDurationSec,
      maxDurationSec: stage.maxDurationSec ?? null,
      treatment: armEvidence(counts.treatment),
      control: armEvidence(counts.control),
      expectedBadEvents,
      minEvidence,
      errorTest,
      latency,
      sampleRatio: {
        configuredShare: srm.expectedShare,
        observedShare: srm.observedShare,
        statistic: srm.statistic,
        threshold: srm.threshold,
        alarm: srm.alarm,
      },
      tripped: input.tripped,
    }
    const decision = (action: StageAction, reason: string): StageDecision => ({
      action,
      reason,
      evidence,
    })
    const at = `stage ${stageIndex + 1} (${stage.percent} %)`

    if (errorTest.alarm) {
      return decision(
        'revert',
        `treatment's error rate is above control's by more than the ${pct(errorTest.tolerance)} tolerance: ` +
          `M reached ${num(errorTest.peakStatistic)} ≥ 1/α = ${num(errorTest.threshold)} ` +
          `(${num(errorTest.treatmentBad)} bad events in treatment where ${num(errorTest.expectedTreatmentBad)} were expected at control's rate)`,
      )
    }
    if (latency?.test.alarm) {
      return decision(
        'revert',
        `treatment is slower than control by more than the ${pct(latency.test.tolerance)} tolerance: ` +
          `M reached ${num(latency.test.peakStatistic)} ≥ 1/α = ${num(latency.test.threshold)} ` +
          `(${num(latency.test.treatmentBad)} calls over ${latency.effectiveThresholdMs} ms in treatment where ${num(latency.test.expectedTreatmentBad)} were expected at control's rate)`,
      )
    }
    if (srm.alarm) return decision('pause', sampleRatioReason(srm, input.tripped))
    if (stage.percent >= 100) {
      return decision(
        'complete',
        stageIndex === 0
          ? 'the plan starts at 100 %: there is no control arm, so nothing was compared'
          : 'reached 100 %: no control arm is left to compare; the guard was checked at the stage before',
      )
    }
    if (elapsedSec < stage.minDurationSec) {
      return decision(
        'continue',
        `${at} has run ${Math.floor(elapsedSec)} s of its minimum ${stage.minDurationSec} s`,
      )
    }
    const short: string[] = []
    if (expectedBadEvents < minEvidence) {
      short.push(`${num(expectedBadEvents)} of ${num(minEvidence)} expected bad events`)
    }
    if (latency && latency.expectedSlow < minEvidence) {
      short.push(`${num(latency.expectedSlow)} of ${num(minEvidence)} expected slow calls`)
    }
    const harmless = `M = ${num(errorTest.statistic)} < ${num(errorTest.threshold)}`
    if (short.length === 0) {
      if (input.tripped > 0) {
        return decision(
          'hold',
          `${at} has enough evidence and the statistics show no harm (${harmless}), but local guards tripped ${input.tripped} time(s) during it: promote by hand once that is explained`,
        )
      }
      const next = plan.stages[stageIndex + 1]
      if (!next) {
        return decision(
          'complete',
          `${at}, the last stage, passed with no sign of harm (${harmless})`,
        )
      }
      return decision(
        'promote',
        `${at} ran ${Math.floor(elapsedSec)} s with enough evidence (${num(expectedBadEvents)} ≥ ${num(minEvidence)} expected bad events) and no sign of harm (${harmless}): on to ${next.percent} %`,
      )
    }
    if (stage.maxDurationSec !== undefined && elapsedSec >= stage.maxDurationSec) {
      return decision(
        'hold',
        `${at} reached its maximum of ${stage.maxDurationSec} s with too little evidence (${short.join(', ')}): ` +
          'it keeps watching and promotes once the evidence is there, or promote by hand',
      )
    }
    return decision('continue', `${at} is waiting for evidence: ${short.join(', ')}`)
  },
}

function expectedAtControlRate(treatmentN: number, controlBad: number, controlN: number): number {
  return controlN > 0 ? (treatmentN * controlBad) / controlN : 0
}

function armEvidence(arm: ArmCounts): ArmEvidence {
  return {
    exposures: arm.exposures,
    errors: arm.errors,
    errorUnits: arm.errorUnits,
    badEvents: arm.bad,
    badRate: arm.exposures > 0 ? arm.bad / arm.exposures : 0,
  }
}

function testEvidence(state: SequentialTestState, alpha: number): TestEvidence {
  const result = SequentialTest.result(state, alpha)
  return {
    statistic: result.statistic,
    peakStatistic: result.peakStatistic,
    threshold: result.threshold,
    alpha,
    tolerance: state.tolerance,
    alarm: result.alarm,
    treatmentBad: state.treatment.bad,
    expectedTreatmentBad: state.expectedTreatmentBad,
    batches: state.batches,
  }
}

function latencyEvidence(
  counts: RolloutArms,
  guard: NonNullable<RolloutPlan['guard']['latency']>,
  test: TestEvidence,
): LatencyEvidence {
  const t = RolloutSignals.slowRequests(counts.treatment.latency, guard.thresholdMs)
  const c = RolloutSignals.slowRequests(counts.control.latency, guard.thresholdMs)
  const rate = (s: { requests: number; slow: number }) => (s.requests > 0 ? s.slow / s.requests : 0)
  return {
    thresholdMs: guard.thresholdMs,
    effectiveThresholdMs: t.thresholdMs,
    treatment: { requests: t.requests, slow: t.slow, slowRate: rate(t) },
    control: { requests: c.requests, slow: c.slow, slowRate: rate(c) },
    expectedSlow: expectedAtControlRate(t.requests, c.slow, c.requests),
    test,
  }
}

function sampleRatioReason(srm: SampleRatioResult, tripped: number): string {
  const trips =
    tripped > 0
      ? ` Local guards tripped ${tripped} time(s) this stage; a tripped SDK serves control, which skews the split.`
      : ''
  return (
    `sample ratio mismatch: treatment got ${pct(srm.observedShare)} of exposures where the configuration gives it ${pct(srm.expectedShare)} ` +
    `(M reached ${num(srm.threshold)} or more). Something between the configuration and the reported signals is off ` +
    `(SDKs on a stale configuration, lost signal reports, or treatment served outside the split), so the rollout waits for an operator.${trips}`
  )
}

function pct(share: number): string {
  return `${num(share * 100)} %`
}

/** Numbers for reasons: three significant digits, no exponent below a billion. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  if (Math.abs(x) >= 1e9) return x.toExponential(2)
  return String(Number(x.toPrecision(3)))
}
