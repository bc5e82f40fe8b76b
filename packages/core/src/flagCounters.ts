import { LATENCY_BUCKETS_MS, MAX_ERROR_UNIT_HASHES } from './constants'
import { DistinctCounter } from './distinctCounter'
import { latencyBucket } from './latencyBucket'
import type { VariantSignals } from './schemas'

const BUCKETS = LATENCY_BUCKETS_MS.length + 1

/**
 * The signals of one flag in one window, per variant index: plain counters in
 * typed arrays, so counting an exposure is one increment and memory does not
 * grow with traffic.
 */
export class FlagCounters {
  readonly exposures: Float64Array
  readonly successes: Float64Array
  readonly errors: Float64Array
  readonly #latencyCount: Float64Array
  readonly #latencySum: Float64Array
  readonly #latencyMax: Float64Array
  readonly #latencyBuckets: Float64Array
  /** Distinct units with an error, per variant; created on a variant's first error. */
  readonly #errorUnits: (DistinctCounter | undefined)[]
  /** Errors with no unit to tell them apart: each counts as its own unit. */
  readonly #anonymousErrors: Float64Array
  /** `urgent` already fired for this flag in this window. */
  urgentFired = false

  constructor(
    readonly flagKey: string,
    readonly variants: readonly string[],
    /** Variant index of a running rollout's treatment, or -1. */
    public treatment: number,
  ) {
    const n = variants.length
    this.exposures = new Float64Array(n)
    this.successes = new Float64Array(n)
    this.errors = new Float64Array(n)
    this.#latencyCount = new Float64Array(n)
    this.#latencySum = new Float64Array(n)
    this.#latencyMax = new Float64Array(n)
    this.#latencyBuckets = new Float64Array(n * BUCKETS)
    this.#errorUnits = new Array<DistinctCounter | undefined>(n).fill(undefined)
    this.#anonymousErrors = new Float64Array(n)
  }

  /** Counts one success or error of variant `index`, with its latency and its unit's `unitHash` when known. */
  recordOutcome(index: number, ok: boolean, latencyMs?: number, unitHash?: number): void {
    if (index < 0 || index >= this.variants.length) return
    if (ok) add(this.successes, index, 1)
    else {
      add(this.errors, index, 1)
      if (unitHash === undefined) add(this.#anonymousErrors, index, 1)
      else {
        let units = this.#errorUnits[index]
        if (units === undefined) {
          units = new DistinctCounter()
          this.#errorUnits[index] = units
        }
        units.add(unitHash)
      }
    }
    if (latencyMs !== undefined && Number.isFinite(latencyMs) && latencyMs >= 0) {
      add(this.#latencyCount, index, 1)
      add(this.#latencySum, index, latencyMs)
      if (latencyMs > (this.#latencyMax[index] as number)) this.#latencyMax[index] = latencyMs
      add(this.#latencyBuckets, index * BUCKETS + latencyBucket(latencyMs), 1)
    }
  }

  hasActivity(): boolean {
    for (let i = 0; i < this.variants.length; i++) {
      if (this.exposures[i] || this.successes[i] || this.errors[i]) return true
    }
    return false
  }

  reset(): void {
    for (const a of [
      this.exposures,
      this.successes,
      this.errors,
      this.#latencyCount,
      this.#latencySum,
      this.#latencyMax,
      this.#latencyBuckets,
      this.#anonymousErrors,
    ]) {
      a.fill(0)
    }
    for (const units of this.#errorUnits) units?.clear()
    this.urgentFired = false
  }

  /** The batch entry of this flag: the variants that saw anything. */
  toSignals(): Record<string, VariantSignals> {
    const out: [string, VariantSignals][] = []
    this.variants.forEach((name, i) => {
      const exposures = this.exposures[i] as number
      const successes = this.successes[i] as number
      const errors = this.errors[i] as number
      if (exposures === 0 && successes === 0 && errors === 0) return
      const units = (this.#errorUnits[i]?.count() ?? 0) + (this.#anonymousErrors[i] as number)
      const errorUnits = Math.min(errors, units)
      const signals: VariantSignals = { exposures, successes, errors, errorUnits }
      // Under a rollout the server counts each unit's first error per stage,
      // not once per window: it needs to know which units they were.
      if (this.treatment >= 0 && errorUnits > 0) {
        const hashes = this.#errorUnits[i]?.smallest(MAX_ERROR_UNIT_HASHES) ?? []
        signals.errorUnitHashes = hashes
        signals.errorUnitHashesDropped = Math.max(0, errorUnits - hashes.length)
      }
      const count = this.#latencyCount[i] as number
      if (count > 0) {
        signals.latencyMs = {
          count,
          sumMs: this.#latencySum[i] as number,
          maxMs: this.#latencyMax[i] as number,
          buckets: Array.from(this.#latencyBuckets.subarray(i * BUCKETS, (i + 1) * BUCKETS)),
        }
      }
      out.push([name, signals])
    })
    return Object.fromEntries(out)
  }

  /**
   * The sum of two windows of one flag whose variants differ (a configuration
   * change renamed or added variants mid-window): variants are matched by name.
   */
  static merge(a: FlagCounters, b: FlagCounters): FlagCounters {
    const names = [...a.variants, ...b.variants.filter((v) => !a.variants.includes(v))]
    const treatment = b.treatment >= 0 ? names.indexOf(b.variants[b.treatment] as string) : -1
    const merged = new FlagCounters(a.flagKey, names, treatment)
    for (const source of [a, b]) {
      source.variants.forEach((name, from) => {
        merged.#addVariant(names.indexOf(name), source, from)
      })
    }
    merged.urgentFired = a.urgentFired || b.urgentFired
    return merged
  }

  #addVariant(to: number, source: FlagCounters, from: number): void {
    add(this.exposures, to, source.exposures[from] as number)
    add(this.successes, to, source.successes[from] as number)
    add(this.errors, to, source.errors[from] as number)
    add(this.#anonymousErrors, to, source.#anonymousErrors[from] as number)
    add(this.#latencyCount, to, source.#latencyCount[from] as number)
    add(this.#latencySum, to, source.#latencySum[from] as number)
    this.#latencyMax[to] = Math.max(
      this.#latencyMax[to] as number,
      source.#latencyMax[from] as number,
    )
    for (let b = 0; b < BUCKETS; b++) {
      add(
        this.#latencyBuckets,
        to * BUCKETS + b,
        source.#latencyBuckets[from * BUCKETS + b] as number,
      )
    }
    const units = source.#errorUnits[from]
    if (units !== undefined) {
      let target = this.#errorUnits[to]
      if (target === undefined) {
        target = new DistinctCounter()
        this.#errorUnits[to] = target
      }
      target.addAll(units)
    }
  }
}

/** `a[i] += x`, spelled so that indexed access stays a plain number. */
export function add(a: Float64Array, i: number, x: number): void {
  a[i] = (a[i] as number) + x
}
