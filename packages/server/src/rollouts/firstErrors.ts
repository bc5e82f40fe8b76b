import type { SignalsBatch, VariantSignals } from '@floodgate/core'

/** A batch recounted by first errors per stage, and whether both arms could be. */
export interface FirstErrorsBatch {
  /** The batch, with each listed variant's `errorUnits` replaced by its units' first errors this stage. */
  batch: SignalsBatch
  /** Both arms' errors were counted by unit hashes: the monitor may compare them at the configured share. */
  firstErrorsPerStage: boolean
}

/**
 * How a rollout counts bad events where the split hashes a stable unit: a
 * unit's first error in a stage, not once per SDK window, so that a few
 * users failing again and again weigh once each. SDKs list the units that
 * erred in a window (`errorUnitHashes`); the store remembers which it saw per
 * rollout, stage and variant and says how many are new; this module turns
 * that into the counts the monitor reads. Pure: the controller and the
 * simulation (`pnpm bench:rollouts`) both run it.
 *
 * @example
 * ```ts
 * const hashes = FirstErrors.hashesOf(batch, 'new-checkout')
 * const fresh = await store.countNew(hashes) // per variant
 * const { batch: counted, firstErrorsPerStage } = FirstErrors.apply(batch, 'new-checkout', plan, fresh)
 * monitor = RolloutMonitor.observe(monitor, counted, target, { firstErrorsPerStage })
 * ```
 */
export const FirstErrors = {
  /** The error-unit hashes a batch lists for a flag, per variant. */
  hashesOf(batch: SignalsBatch, flagKey: string): Record<string, readonly number[]> {
    const hashes: Record<string, readonly number[]> = {}
    for (const [variant, s] of Object.entries(batch.flags[flagKey] ?? {})) {
      if (s.errorUnitHashes !== undefined) hashes[variant] = s.errorUnitHashes
    }
    return hashes
  },

  /**
   * The batch with the flag's variants recounted: `fresh[variant]` listed
   * units erred for the first time this stage, plus the units the SDK could
   * not list (counted as new). Variants without hashes (an older SDK) keep
   * their per-window counts, and then the arms cannot be compared by unit.
   */
  apply(
    batch: SignalsBatch,
    flagKey: string,
    arms: { treatment: string; control: string },
    fresh: Record<string, number>,
  ): FirstErrorsBatch {
    const variants = batch.flags[flagKey]
    if (!variants) return { batch, firstErrorsPerStage: false }
    const counted: Record<string, VariantSignals> = {}
    for (const [variant, s] of Object.entries(variants)) {
      const n = fresh[variant]
      counted[variant] =
        s.errorUnitHashes === undefined || n === undefined
          ? s
          : { ...s, errorUnits: Math.min(s.errors, n + (s.errorUnitHashesDropped ?? 0)) }
    }
    const byUnit = (variant: string) => {
      const s = variants[variant]
      return s === undefined || s.errors === 0 || s.errorUnitHashes !== undefined
    }
    return {
      batch: { ...batch, flags: { ...batch.flags, [flagKey]: counted } },
      firstErrorsPerStage: byUnit(arms.treatment) && byUnit(arms.control),
    }
  },
}
