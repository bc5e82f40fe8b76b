import { z } from 'zod'

/**
 * How many times worse than the tolerated rate each alternative of the
 * mixture is. Relative to the tolerated rate, so every alternative lies
 * inside the alarm region whatever the tolerance.
 */
export const DEFAULT_RATIOS: readonly number[] = [1.25, 1.5, 1.75, 2, 2.5, 3, 5, 10, 30]

/**
 * Prior weights of {@link DEFAULT_RATIOS} (normalized on use). Weight goes
 * where detection is slow: a weight `w` costs `ln(1/w)` nats of evidence, a
 * handful of bad events for a large regression (each carries 1–3 nats) but
 * dozens for a small one (each carries ~0.01 nats). See docs/rollouts.md.
 */
export const DEFAULT_WEIGHTS: readonly number[] = [2, 3, 3, 3, 2, 1, 0.5, 0.3, 0.3]

const amount = z.number().min(0)

const ArmTotalsSchema = z.object({
  /** Exposures fed to the test (or, for the sample-ratio check, expected exposures). */
  exposures: amount,
  /** Bad events fed to the test. */
  bad: amount,
})

/**
 * The whole state of a sequential test: small, JSON-serializable, and enough
 * to continue exactly where it stopped (after a restart, or on another replica).
 */
export const SequentialTestStateSchema = z
  .object({
    /** Tolerated relative increase of treatment's bad-event rate: the null is `ratio ≤ 1 + tolerance`. */
    tolerance: z.number().min(0).max(10),
    /** Bad events that count as one independent observation (see {@link SequentialTestOptions}). */
    clusterSize: z.number().min(1).max(1e6),
    /** Alternatives, as multiples of the tolerated rate ratio. */
    ratios: z.array(z.number().gt(1).max(1e6)).min(1).max(64),
    /** Mixture weights of the alternatives; positive, summing to 1. */
    weights: z.array(z.number().gt(0).max(1)).min(1).max(64),
    /** Running log likelihood ratio of each alternative against the null. */
    logLikelihoodRatios: z.array(z.number()).min(1).max(64),
    /** Largest `ln M` seen after any batch: the alarm is sticky. */
    peakLogStatistic: z.number(),
    /** Batches that carried information (both arms exposed, at least one bad event). */
    batches: z.int().min(0),
    treatment: ArmTotalsSchema,
    control: ArmTotalsSchema,
    /** Bad events treatment would have had at control's rate, summed batch by batch. */
    expectedTreatmentBad: amount,
  })
  .superRefine((s, ctx) => {
    const n = s.ratios.length
    if (s.weights.length !== n || s.logLikelihoodRatios.length !== n) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: 'ratios, weights and logLikelihoodRatios must have the same length',
      })
    }
    const total = s.weights.reduce((sum, w) => sum + w, 0)
    if (Math.abs(total - 1) > 1e-9) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `must sum to 1, got ${total}` })
    }
  })
export type SequentialTestState = z.infer<typeof SequentialTestStateSchema>

/** Options of {@link SequentialTest.create}. */
export interface SequentialTestOptions {
  /** Tolerated relative increase of treatment's bad-event rate over control's. Default `0.1`. */
  tolerance?: number
  /** Alternatives, as multiples of the tolerated ratio (each > 1). Default {@link DEFAULT_RATIOS}. */
  ratios?: readonly number[]
  /** Prior weights of the alternatives (normalized here). Default {@link DEFAULT_WEIGHTS} with the default ratios, else equal. */
  weights?: readonly number[]
  /**
   * How many bad events count as one independent observation. When events
   * come in clumps (one user's retries, one slow client's calls), the test
   * takes each batch's likelihood ratio to the power `1/clusterSize`: exact
   * for clumps of that size, and still valid without clumps (a power below 1
   * of a ratio whose mean is at most 1 has mean at most 1), at the price of
   * needing `clusterSize` times the evidence. Default `1`.
   */
  clusterSize?: number
}

/** One batch: what each arm was exposed to and how many bad events it had. */
export interface SequentialTestBatch {
  treatmentExposures: number
  controlExposures: number
  treatmentBad: number
  controlBad: number
}

/** Where a test stands. */
export interface SequentialTestResult {
  /** `M`, the mixture likelihood ratio now (capped at `Number.MAX_VALUE` so it stays JSON-safe). */
  statistic: number
  /** `ln M` now. */
  logStatistic: number
  /** The largest `M` seen so far. */
  peakStatistic: number
  /** The alarm level `1/α`. */
  threshold: number
  /** `M` has reached `1/α` at some point: treatment is worse than tolerated, with confidence `1 - α`. */
  alarm: boolean
}

/**
 * An always-valid test of "treatment's bad-event rate is at most `1 + tolerance`
 * times control's", fed batch by batch.
 *
 * Within a batch, given how many bad events occurred, each lands in treatment
 * with probability `f₀ = (1+tol)·f / ((1+tol)·f + 1 − f)` at most under the
 * null, where `f` is treatment's share of the batch's exposures. Each
 * alternative `r` claims that probability is `θ = r·f₀ / (r·f₀ + 1 − f₀)`.
 * The product of these per-batch likelihood ratios is a nonnegative
 * supermartingale under the null whatever `f` does from batch to batch (stage
 * changes included), so is their weighted mixture `M`; by Ville's inequality
 * `M` ever reaching `1/α` has probability at most `α`, however often one looks.
 *
 * @example
 * ```ts
 * let state = SequentialTest.create({ tolerance: 0.1 })
 * state = SequentialTest.update(state, {
 *   treatmentExposures: 480, controlExposures: 9_520, treatmentBad: 31, controlBad: 95,
 * })
 * SequentialTest.result(state, 0.01).alarm // true: 31 where ~4.8 were expected
 * ```
 */
export const SequentialTest = {
  /** A fresh test: every likelihood ratio at 1. Throws `RangeError` on invalid options. */
  create(options: SequentialTestOptions = {}): SequentialTestState {
    const tolerance = options.tolerance ?? 0.1
    const clusterSize = options.clusterSize ?? 1
    const ratios = [...(options.ratios ?? DEFAULT_RATIOS)]
    const raw = options.weights
      ? [...options.weights]
      : options.ratios
        ? ratios.map(() => 1)
        : [...DEFAULT_WEIGHTS]
    if (!(tolerance >= 0 && tolerance <= 10)) {
      throw new RangeError(`tolerance must be within [0, 10], got ${tolerance}`)
    }
    if (!(clusterSize >= 1 && clusterSize <= 1e6)) {
      throw new RangeError(`clusterSize must be within [1, 1e6], got ${clusterSize}`)
    }
    if (ratios.length === 0 || ratios.length > 64) {
      throw new RangeError('ratios must hold between 1 and 64 alternatives')
    }
    if (!ratios.every((r) => r > 1 && r <= 1e6)) {
      throw new RangeError('every ratio must be within (1, 1e6]')
    }
    if (raw.length !== ratios.length || !raw.every((w) => w > 0 && Number.isFinite(w))) {
      throw new RangeError('weights must be positive and one per ratio')
    }
    const total = raw.reduce((sum, w) => sum + w, 0)
    return {
      tolerance,
      clusterSize,
      ratios,
      weights: raw.map((w) => w / total),
      logLikelihoodRatios: ratios.map(() => 0),
      peakLogStatistic: 0,
      batches: 0,
      treatment: { exposures: 0, bad: 0 },
      control: { exposures: 0, bad: 0 },
      expectedTreatmentBad: 0,
    }
  },

  /**
   * Feeds one batch. A batch with no exposure on one side, or no bad event,
   * says nothing about the split and leaves the state as it is. Counts may be
   * fractional. Throws `RangeError` on a negative or non-finite count.
   */
  update(state: SequentialTestState, batch: SequentialTestBatch): SequentialTestState {
    const { treatmentExposures: nT, controlExposures: nC, treatmentBad: eT, controlBad: eC } = batch
    checkCount('treatmentExposures', nT)
    checkCount('controlExposures', nC)
    checkCount('treatmentBad', eT)
    checkCount('controlBad', eC)
    const bad = eT + eC
    if (nT === 0 || nC === 0 || bad === 0) return state
    const tolerated = (1 + state.tolerance) * nT
    const f = nT / (nT + nC)
    // f₀ written this way stays exact when one arm dwarfs the other.
    const f0 = tolerated / (tolerated + nC)
    const { ratios, clusterSize } = state
    const logLikelihoodRatios = new Array<number>(ratios.length)
    let best = Number.NEGATIVE_INFINITY
    for (let i = 0; i < ratios.length; i++) {
      const llr =
        (state.logLikelihoodRatios[i] ?? 0) +
        (eT * Math.log(ratios[i] ?? 1) - bad * Math.log1p(((ratios[i] ?? 1) - 1) * f0)) /
          clusterSize
      logLikelihoodRatios[i] = llr
      if (llr > best) best = llr
    }
    // The mixture never exceeds its largest term: skip it when it cannot raise the peak.
    const peakLogStatistic =
      best > state.peakLogStatistic
        ? Math.max(state.peakLogStatistic, logMixture(state.weights, logLikelihoodRatios))
        : state.peakLogStatistic
    // Fields listed rather than spread: this runs for every batch of every rollout.
    return {
      tolerance: state.tolerance,
      clusterSize,
      ratios,
      weights: state.weights,
      logLikelihoodRatios,
      peakLogStatistic,
      batches: state.batches + 1,
      treatment: { exposures: state.treatment.exposures + nT, bad: state.treatment.bad + eT },
      control: { exposures: state.control.exposures + nC, bad: state.control.bad + eC },
      expectedTreatmentBad: state.expectedTreatmentBad + bad * f,
    }
  },

  /** Where the test stands at level `alpha` (the alarm fires at `M ≥ 1/alpha`). */
  result(state: SequentialTestState, alpha: number): SequentialTestResult {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be within (0, 1), got ${alpha}`)
    const logStatistic = logMixture(state.weights, state.logLikelihoodRatios)
    return {
      statistic: finiteExp(logStatistic),
      logStatistic,
      peakStatistic: finiteExp(state.peakLogStatistic),
      threshold: 1 / alpha,
      alarm: state.peakLogStatistic >= -Math.log(alpha),
    }
  },
}

/** `ln Σ wᵢ·exp(xᵢ)`, by log-sum-exp so that neither huge nor tiny ratios overflow. */
export function logMixture(weights: readonly number[], logValues: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY
  for (const x of logValues) if (x > max) max = x
  if (max === Number.NEGATIVE_INFINITY) return max
  let sum = 0
  for (let i = 0; i < logValues.length; i++) {
    sum += (weights[i] ?? 0) * Math.exp((logValues[i] ?? max) - max)
  }
  return max + Math.log(sum)
}

function checkCount(name: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be a finite count >= 0, got ${value}`)
  }
}

/** `exp(x)`, capped so that JSON can carry it. */
export function finiteExp(x: number): number {
  return Math.min(Math.exp(x), Number.MAX_VALUE)
}
