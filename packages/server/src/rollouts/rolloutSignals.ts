import {
  LATENCY_BUCKETS_MS,
  type LatencySummary,
  LatencySummarySchema,
  type SignalsBatch,
  type VariantSignals,
} from '@floodgate/core'
import { z } from 'zod'

/**
 * What counts as one bad event. `errorUnits`: a unit (the split's `by`
 * value, usually a user) with at least one error in an SDK's window, so that
 * one client retrying a failing call counts once. `errors`: every error, for
 * splits whose unit is the SDK instance itself (`by: 'instanceId'`), where
 * `errorUnits` can be at most 1 per batch.
 */
export type BadEventCount = 'errorUnits' | 'errors'

const count = z.number().min(0)

/** One arm's totals over some span (a batch, a stage). */
export const ArmCountsSchema = z.object({
  exposures: count,
  errors: count,
  errorUnits: count,
  /** Bad events as the rollout counts them (see {@link BadEventCount}), decided batch by batch. */
  bad: count,
  /** Merged latency histogram, or `null` while no batch carried one. */
  latency: LatencySummarySchema.nullable(),
})
export type ArmCounts = z.infer<typeof ArmCountsSchema>

/** Both arms of a rollout. */
export const RolloutArmsSchema = z.object({ treatment: ArmCountsSchema, control: ArmCountsSchema })
export type RolloutArms = z.infer<typeof RolloutArmsSchema>

/** Which flag and variants a rollout watches. */
export interface RolloutSignalsTarget {
  flagKey: string
  /** The plan's treatment variant. */
  treatment: string
  /** The plan's control variant. */
  control: string
  /** What counts as a bad event. Default `'errorUnits'`. */
  badEvents?: BadEventCount
}

/** What one batch adds to one rollout. */
export interface RolloutSignalsDelta extends RolloutArms {
  /** The SDK's local guard for this flag tripped during the window. */
  tripped: boolean
  /** The batch's window, epoch milliseconds. */
  window: { start: number; end: number }
}

/** Requests counted by a latency histogram, and how many were slower than a threshold. */
export interface SlowRequests {
  requests: number
  slow: number
  /** The bucket bound the threshold rounds up to: `slow` counts requests above it. */
  thresholdMs: number
}

/**
 * Turns signals batches into per-arm counts for one rollout. Pure: the
 * controller feeds it batches and keeps the sums.
 *
 * @example
 * ```ts
 * const delta = RolloutSignals.fromBatch(batch, { flagKey: 'new-checkout', treatment: 'on', control: 'off' })
 * if (delta) stageCounts = RolloutSignals.add(stageCounts, delta)
 * ```
 */
export const RolloutSignals = {
  /** Zero counts for both arms. */
  empty(): RolloutArms {
    return { treatment: emptyArm(), control: emptyArm() }
  },

  /**
   * The part of a batch that concerns the rollout, or `null` when the batch
   * neither reports the flag nor a local-guard trip for it. Variants other
   * than treatment and control are ignored.
   */
  fromBatch(batch: SignalsBatch, target: RolloutSignalsTarget): RolloutSignalsDelta | null {
    const variants = batch.flags[target.flagKey]
    const tripped = batch.tripped?.includes(target.flagKey) ?? false
    if (!variants && !tripped) return null
    const mode = target.badEvents ?? 'errorUnits'
    return {
      treatment: armOf(variants?.[target.treatment], mode),
      control: armOf(variants?.[target.control], mode),
      tripped,
      window: { start: batch.window.start, end: batch.window.end },
    }
  },

  /** The sum of two spans. */
  add(a: RolloutArms, b: RolloutArms): RolloutArms {
    return { treatment: addArm(a.treatment, b.treatment), control: addArm(a.control, b.control) }
  },

  /**
   * Requests slower than `thresholdMs`, read from a histogram with the
   * fixed `LATENCY_BUCKETS_MS`. The threshold rounds up to the next bucket
   * bound (past the last bound, to the last bound), so no request faster
   * than the threshold is called slow.
   */
  slowRequests(latency: LatencySummary | null, thresholdMs: number): SlowRequests {
    let bound = LATENCY_BUCKETS_MS.findIndex((b) => b >= thresholdMs)
    if (bound === -1) bound = LATENCY_BUCKETS_MS.length - 1
    const effective = LATENCY_BUCKETS_MS[bound] ?? thresholdMs
    if (!latency) return { requests: 0, slow: 0, thresholdMs: effective }
    let slow = 0
    for (let i = bound + 1; i < latency.buckets.length; i++) slow += latency.buckets[i] ?? 0
    return { requests: latency.count, slow, thresholdMs: effective }
  },
}

function emptyArm(): ArmCounts {
  return { exposures: 0, errors: 0, errorUnits: 0, bad: 0, latency: null }
}

function armOf(signals: VariantSignals | undefined, mode: BadEventCount): ArmCounts {
  if (!signals) return emptyArm()
  const { exposures, errors, errorUnits } = signals
  // An SDK that predates `errorUnits` reports 0 next to errors: fall back to
  // raw errors rather than see no bad events at all. With unit hashes, 0 is
  // real (every unit that erred had erred before this stage). A unit with an
  // error has at least one, so more units than errors is impossible and capped.
  const legacy = errors > 0 && errorUnits === 0 && signals.errorUnitHashes === undefined
  const units = legacy ? errors : Math.min(errorUnits, errors)
  return {
    exposures,
    errors,
    errorUnits,
    bad: mode === 'errors' ? errors : units,
    latency: signals.latencyMs ?? null,
  }
}

function addArm(a: ArmCounts, b: ArmCounts): ArmCounts {
  return {
    exposures: a.exposures + b.exposures,
    errors: a.errors + b.errors,
    errorUnits: a.errorUnits + b.errorUnits,
    bad: a.bad + b.bad,
    latency: addLatency(a.latency, b.latency),
  }
}

function addLatency(a: LatencySummary | null, b: LatencySummary | null): LatencySummary | null {
  if (!a || !b) return a ?? b
  return {
    count: a.count + b.count,
    sumMs: a.sumMs + b.sumMs,
    maxMs: Math.max(a.maxMs, b.maxMs),
    buckets: a.buckets.map((n, i) => n + (b.buckets[i] ?? 0)),
  }
}
