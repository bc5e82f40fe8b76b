import type { ParseResult, RolloutPlan, SignalsBatch } from '@floodgate/core'
import { z } from 'zod'
import { type BadEventCount, RolloutArmsSchema, RolloutSignals } from './rolloutSignals'
import {
  SampleRatioTest,
  type SampleRatioTestOptions,
  SampleRatioTestStateSchema,
} from './sampleRatioTest'
import {
  SequentialTest,
  type SequentialTestOptions,
  SequentialTestStateSchema,
} from './sequentialTest'
import { type StageDecision, StagePolicy } from './stagePolicy'

/**
 * Everything the controller persists for one running rollout, besides the
 * rollout record itself: this stage's counts and the tests' states. A few
 * hundred bytes of JSON; `RolloutMonitor.parse` checks it on load.
 */
export const RolloutMonitorStateSchema = z.object({
  schemaVersion: z.literal(1),
  badEvents: z.enum(['errorUnits', 'errors']),
  /** Batches whose window starts this long after a stage change are the first the sample-ratio check sees. */
  sampleRatioGraceMs: z.int().min(0),
  /** Epoch milliseconds; batches whose window ended before are ignored. */
  startedAt: z.int().min(0),
  stage: z.object({
    index: z.int().min(0),
    /** Epoch milliseconds. */
    startedAt: z.int().min(0),
    counts: RolloutArmsSchema,
    /** Local-guard trip reports during this stage. */
    tripped: z.int().min(0),
  }),
  errors: SequentialTestStateSchema,
  latency: SequentialTestStateSchema.nullable(),
  sampleRatio: SampleRatioTestStateSchema,
})
export type RolloutMonitorState = z.infer<typeof RolloutMonitorStateSchema>

/** Options of {@link RolloutMonitor.start}. */
export interface RolloutMonitorOptions {
  /** What counts as a bad event. Default `'errorUnits'`; `'errors'` for splits by `instanceId`. */
  badEvents?: BadEventCount
  /** The sample-ratio check's options. Default `DEFAULT_SAMPLE_RATIO`: α 0.001, band 0.5, cluster size 10. */
  sampleRatio?: SampleRatioTestOptions
  /**
   * Bad events that count as one independent observation in the error test.
   * Above 1 the test stands more clustering (heavy users that keep failing
   * in the treatment arm) and needs that many times the evidence; see
   * docs/rollouts.md for the trade-off. Default `1`.
   */
  errorClusterSize?: number
  /**
   * The error test's alternatives and prior weights
   * ({@link SequentialTestOptions.ratios} and `weights`). Default
   * `DEFAULT_RATIOS` with `DEFAULT_WEIGHTS`. A prior that bets on one
   * regression size catches that size sooner and every other one later; the
   * simulation (`pnpm bench:rollouts`) measures both ways.
   */
  errorAlternatives?: Pick<SequentialTestOptions, 'ratios' | 'weights'>
  /**
   * Slow calls that count as one independent observation in the latency
   * guard: slowness sticks to users (a bad network, a big account), and the
   * histograms cannot say whose calls were slow. See
   * {@link SequentialTestOptions.clusterSize}. Default `10`.
   */
  latencyClusterSize?: number
  /**
   * Seconds after a stage change before the sample-ratio check looks again,
   * so SDKs still serving the previous percent are not taken for a mismatch.
   * Default `60`.
   */
  sampleRatioGraceSec?: number
}

/** How a batch's counts were made. */
export interface RolloutObserveOptions {
  /**
   * The batch's `errorUnits` count each unit's first error in the current
   * stage (the controller dedups the batch's `errorUnitHashes` per stage), so
   * the error test compares them at the configured share. Default `false`:
   * per-window counts, compared at the exposure share.
   */
  firstErrorsPerStage?: boolean
}

/** Which rollout a batch is observed for. */
export interface RolloutMonitorTarget {
  flagKey: string
  plan: RolloutPlan
}

/**
 * The pure core of the rollout controller: it folds signals batches into
 * one rollout's state and decides with {@link StagePolicy}. The controller
 * adds storage and time: it loads the state, `observe`s each batch once
 * (deduplicated by batch id), calls `decide` on every tick and right after a
 * batch reports a local-guard trip, applies the decision, and calls
 * `enterStage` when it promotes (or an operator does).
 *
 * @example
 * ```ts
 * let monitor = RolloutMonitor.start(plan, Date.now())
 * monitor = RolloutMonitor.observe(monitor, batch, { flagKey: 'new-checkout', plan })
 * const decision = RolloutMonitor.decide(monitor, plan, Date.now())
 * if (decision.action === 'promote') monitor = RolloutMonitor.enterStage(monitor, 1, Date.now())
 * ```
 */
export const RolloutMonitor = {
  /** A rollout starting at its first stage. Throws `RangeError` on invalid options. */
  start(
    plan: RolloutPlan,
    startedAt: number,
    options: RolloutMonitorOptions = {},
  ): RolloutMonitorState {
    const graceSec = options.sampleRatioGraceSec ?? 60
    if (!(graceSec >= 0 && graceSec <= 86400)) {
      throw new RangeError(`sampleRatioGraceSec must be within [0, 86400], got ${graceSec}`)
    }
    checkTime('startedAt', startedAt)
    return {
      schemaVersion: 1,
      badEvents: options.badEvents ?? 'errorUnits',
      sampleRatioGraceMs: Math.round(graceSec * 1000),
      startedAt,
      stage: { index: 0, startedAt, counts: RolloutSignals.empty(), tripped: 0 },
      errors: SequentialTest.create({
        tolerance: plan.guard.tolerance,
        clusterSize: options.errorClusterSize ?? 1,
        ...options.errorAlternatives,
      }),
      latency: plan.guard.latency
        ? SequentialTest.create({
            tolerance: plan.guard.latency.tolerance,
            clusterSize: options.latencyClusterSize ?? 10,
          })
        : null,
      sampleRatio: SampleRatioTest.create(options.sampleRatio),
    }
  },

  /**
   * Folds in one signals batch. Batches that do not mention the flag, or
   * whose window ended before the rollout started, change nothing. The
   * tests see every other batch, across stages; the stage counts see the
   * batches whose window ends after the stage started; the sample-ratio
   * check sees those whose window starts after the stage's grace period.
   */
  observe(
    state: RolloutMonitorState,
    batch: SignalsBatch,
    target: RolloutMonitorTarget,
    options: RolloutObserveOptions = {},
  ): RolloutMonitorState {
    const { plan } = target
    const stage = plan.stages[state.stage.index]
    if (!stage) throw new RangeError(`stage ${state.stage.index} is not in the plan`)
    const delta = RolloutSignals.fromBatch(batch, {
      flagKey: target.flagKey,
      treatment: plan.treatment,
      control: plan.control,
      badEvents: state.badEvents,
    })
    if (!delta || delta.window.end < state.startedAt) return state
    const { treatment: t, control: c } = delta
    let latency = state.latency
    if (latency && plan.guard.latency) {
      const threshold = plan.guard.latency.thresholdMs
      const slowT = RolloutSignals.slowRequests(t.latency, threshold)
      const slowC = RolloutSignals.slowRequests(c.latency, threshold)
      latency = SequentialTest.update(latency, {
        treatmentExposures: slowT.requests,
        controlExposures: slowC.requests,
        treatmentBad: slowT.slow,
        controlBad: slowC.slow,
      })
    }
    const inStage = delta.window.end > state.stage.startedAt
    const share = stage.percent / 100
    // A unit's first error in a stage lands in treatment with the probability
    // the split gives it, whoever the unit is: no user, however busy or
    // error-prone, weighs more than once, so the configured share is the
    // null's share. Per-window counts repeat busy units and need exposures.
    const byUnit =
      options.firstErrorsPerStage === true && state.badEvents === 'errorUnits' && share < 1
    return {
      ...state,
      errors: SequentialTest.update(state.errors, {
        treatmentExposures: byUnit ? (t.exposures + c.exposures > 0 ? share : 0) : t.exposures,
        controlExposures: byUnit ? (t.exposures + c.exposures > 0 ? 1 - share : 0) : c.exposures,
        treatmentBad: t.bad,
        controlBad: c.bad,
      }),
      latency,
      sampleRatio:
        delta.window.start >= state.stage.startedAt + state.sampleRatioGraceMs
          ? SampleRatioTest.update(state.sampleRatio, {
              treatmentExposures: t.exposures,
              controlExposures: c.exposures,
              expectedShare: stage.percent / 100,
            })
          : state.sampleRatio,
      stage: inStage
        ? {
            ...state.stage,
            counts: RolloutSignals.add(state.stage.counts, delta),
            tripped: state.stage.tripped + (delta.tripped ? 1 : 0),
          }
        : state.stage,
    }
  },

  /** The decision at `now` (epoch milliseconds); see {@link StagePolicy.decide}. */
  decide(state: RolloutMonitorState, plan: RolloutPlan, now: number): StageDecision {
    return StagePolicy.decide({
      plan,
      stageIndex: state.stage.index,
      stageStartedAt: state.stage.startedAt,
      now,
      counts: state.stage.counts,
      tests: { errors: state.errors, latency: state.latency, sampleRatio: state.sampleRatio },
      tripped: state.stage.tripped,
    })
  },

  /** Moves to stage `index` at `startedAt`: fresh stage counts; the tests carry on. */
  enterStage(state: RolloutMonitorState, index: number, startedAt: number): RolloutMonitorState {
    if (!(Number.isInteger(index) && index >= 0)) {
      throw new RangeError(`stage index must be an integer >= 0, got ${index}`)
    }
    checkTime('startedAt', startedAt)
    return { ...state, stage: { index, startedAt, counts: RolloutSignals.empty(), tripped: 0 } }
  },

  /**
   * After an operator resumes a paused rollout: the sample-ratio check starts
   * over (the operator has looked at the mismatch that paused it), with the
   * same options; the error and latency tests carry on.
   */
  resume(state: RolloutMonitorState): RolloutMonitorState {
    const { alpha, band, above } = state.sampleRatio
    return {
      ...state,
      sampleRatio: SampleRatioTest.create({ alpha, band, clusterSize: above.clusterSize }),
    }
  },

  /** Checks a state loaded from storage. */
  parse(input: unknown): ParseResult<RolloutMonitorState> {
    return RolloutMonitorStateSchema.safeParse(input)
  },
}

function checkTime(name: string, ms: number): void {
  if (!(Number.isSafeInteger(ms) && ms >= 0)) {
    throw new RangeError(`${name} must be epoch milliseconds, got ${ms}`)
  }
}
