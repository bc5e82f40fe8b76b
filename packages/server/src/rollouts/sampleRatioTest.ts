import { z } from 'zod'
import { finiteExp, logMixture, SequentialTest, SequentialTestStateSchema } from './sequentialTest'

/** Defaults of {@link SampleRatioTestOptions}. */
export const DEFAULT_SAMPLE_RATIO = { alpha: 0.001, band: 0.5, clusterSize: 10 } as const

/** The state of a sample-ratio check: two one-sided mixtures, small and JSON-serializable. */
export const SampleRatioTestStateSchema = z.object({
  /** False-alarm probability over the whole rollout. */
  alpha: z.number().gt(0).lt(1),
  /** Healthy drift tolerated in treatment's odds of exposure, either way: `1 + band` times. */
  band: z.number().min(0).max(10),
  /** "Treatment gets more than its share" (its `clusterSize` is the check's). */
  above: SequentialTestStateSchema,
  /** "Treatment gets less than its share", the same test with the arms swapped. */
  below: SequentialTestStateSchema,
  /** Largest `ln M` seen after any batch: the alarm is sticky. */
  peakLogStatistic: z.number(),
  batches: z.int().min(0),
  treatmentExposures: z.number().min(0),
  controlExposures: z.number().min(0),
  /** Treatment exposures the configured shares called for, batch by batch. */
  expectedTreatmentExposures: z.number().min(0),
})
export type SampleRatioTestState = z.infer<typeof SampleRatioTestStateSchema>

/** Options of {@link SampleRatioTest.create}. */
export interface SampleRatioTestOptions {
  /** False-alarm probability over the whole rollout. Default `0.001`. */
  alpha?: number
  /**
   * Drift of the observed split tolerated as healthy: the null is that
   * treatment's odds of exposure are within `1 + band` times the configured
   * odds either way. Default `0.5`, so a 2:1 skew is outside and 1.3:1 inside.
   */
  band?: number
  /**
   * How many exposures count as one independent observation. Exposures come
   * in clumps (one user's session, several evaluations per request); see
   * {@link SequentialTestOptions.clusterSize}. Default `10`.
   */
  clusterSize?: number
}

/** One batch: observed exposures per arm and the share the configuration gives treatment. */
export interface SampleRatioBatch {
  treatmentExposures: number
  controlExposures: number
  /** Treatment's configured share, in [0, 1] (a stage's percent / 100). */
  expectedShare: number
}

/** Where the check stands. */
export interface SampleRatioResult {
  /** Treatment's share of all exposures fed so far. */
  observedShare: number
  /** Treatment's share the configuration called for, weighted by traffic. */
  expectedShare: number
  /** `M` now (capped finite). */
  statistic: number
  /** `ln M` now. */
  logStatistic: number
  /** The alarm level `1/α`. */
  threshold: number
  /** `M` has reached `1/α`: the split is not what the configuration says. */
  alarm: boolean
  /** Which way the observed split leans. */
  direction: 'treatment-high' | 'treatment-low' | 'balanced'
}

/**
 * An always-valid sample-ratio-mismatch check: is the observed exposure split
 * far from the configured one? It is the {@link SequentialTest} machinery
 * applied to exposures instead of bad events: the configured shares play the
 * exposures, the observed exposures play the bad events, `band` plays the
 * tolerance, once each way. `M` is the mean of the
 * two one-sided mixtures, so it is still a supermartingale while the split
 * stays within the band, and reaching `1/α` has probability at most `α`.
 *
 * @example
 * ```ts
 * let srm = SampleRatioTest.create()
 * srm = SampleRatioTest.update(srm, { treatmentExposures: 2_000, controlExposures: 48_000, expectedShare: 0.01 })
 * SampleRatioTest.result(srm).alarm // true: 4 % observed where 1 % was configured
 * ```
 */
export const SampleRatioTest = {
  /** A fresh check. Throws `RangeError` on invalid options. */
  create(options: SampleRatioTestOptions = {}): SampleRatioTestState {
    const alpha = options.alpha ?? DEFAULT_SAMPLE_RATIO.alpha
    const band = options.band ?? DEFAULT_SAMPLE_RATIO.band
    const clusterSize = options.clusterSize ?? DEFAULT_SAMPLE_RATIO.clusterSize
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be within (0, 1), got ${alpha}`)
    if (!(clusterSize >= 1 && clusterSize <= 1e6)) {
      throw new RangeError(`clusterSize must be within [1, 1e6], got ${clusterSize}`)
    }
    const side = SequentialTest.create({ tolerance: band, clusterSize })
    return {
      alpha,
      band,
      above: side,
      below: side,
      peakLogStatistic: 0,
      batches: 0,
      treatmentExposures: 0,
      controlExposures: 0,
      expectedTreatmentExposures: 0,
    }
  },

  /**
   * Feeds one batch. A batch without exposures, or whose configured share is
   * 0 or 1 (nothing to compare), leaves the state as it is. Throws
   * `RangeError` on a negative or non-finite count or a share outside [0, 1].
   */
  update(state: SampleRatioTestState, batch: SampleRatioBatch): SampleRatioTestState {
    const { treatmentExposures: nT, controlExposures: nC, expectedShare: q } = batch
    if (!(q >= 0 && q <= 1)) throw new RangeError(`expectedShare must be within [0, 1], got ${q}`)
    for (const [name, value] of [
      ['treatmentExposures', nT],
      ['controlExposures', nC],
    ] as const) {
      if (!(value >= 0 && Number.isFinite(value))) {
        throw new RangeError(`${name} must be a finite count >= 0, got ${value}`)
      }
    }
    const n = nT + nC
    if (n === 0 || q === 0 || q === 1) return state
    const above = SequentialTest.update(state.above, {
      treatmentExposures: n * q,
      controlExposures: n * (1 - q),
      treatmentBad: nT,
      controlBad: nC,
    })
    const below = SequentialTest.update(state.below, {
      treatmentExposures: n * (1 - q),
      controlExposures: n * q,
      treatmentBad: nC,
      controlBad: nT,
    })
    // The mixture never exceeds its largest term: skip it when it cannot raise the peak.
    let best = Number.NEGATIVE_INFINITY
    for (const llr of above.logLikelihoodRatios) if (llr > best) best = llr
    for (const llr of below.logLikelihoodRatios) if (llr > best) best = llr
    const peakLogStatistic =
      best > state.peakLogStatistic
        ? Math.max(state.peakLogStatistic, combined(above, below))
        : state.peakLogStatistic
    // Fields listed rather than spread: this runs for every batch of every rollout.
    return {
      alpha: state.alpha,
      band: state.band,
      above,
      below,
      peakLogStatistic,
      batches: state.batches + 1,
      treatmentExposures: state.treatmentExposures + nT,
      controlExposures: state.controlExposures + nC,
      expectedTreatmentExposures: state.expectedTreatmentExposures + n * q,
    }
  },

  /** Where the check stands. */
  result(state: SampleRatioTestState): SampleRatioResult {
    const total = state.treatmentExposures + state.controlExposures
    const observedShare = total > 0 ? state.treatmentExposures / total : 0
    const expectedShare = total > 0 ? state.expectedTreatmentExposures / total : 0
    const logStatistic = combined(state.above, state.below)
    const ratio = expectedShare > 0 ? observedShare / expectedShare : 1
    return {
      observedShare,
      expectedShare,
      statistic: finiteExp(logStatistic),
      logStatistic,
      threshold: 1 / state.alpha,
      alarm: state.peakLogStatistic >= -Math.log(state.alpha),
      direction: ratio > 1 ? 'treatment-high' : ratio < 1 ? 'treatment-low' : 'balanced',
    }
  },
}

function combined(
  above: SampleRatioTestState['above'],
  below: SampleRatioTestState['below'],
): number {
  return logMixture(
    [0.5, 0.5],
    [
      logMixture(above.weights, above.logLikelihoodRatios),
      logMixture(below.weights, below.logLikelihoodRatios),
    ],
  )
}
