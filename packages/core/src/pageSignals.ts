import { LATENCY_BUCKETS_MS, MAX_ERROR_UNIT_HASHES } from './constants'
import { defaultLogger } from './defaultLogger'
import { latencyBucket } from './latencyBucket'
import { randomId } from './randomId'
import type { SignalsBatch, VariantSignals } from './schemas'
import type { SdkInfo, SignalsAggregatorOptions, SignalsEvent } from './types'

/** What one variant of one flag saw in a window. */
interface Tally {
  exposures: number
  successes: number
  errors: number
  /** `unitHash`es of the units with an error. */
  units: Set<number>
  /** Errors with no unit to tell them apart: each counts as its own unit. */
  anonymous: number
  /** Count, sum, max, then the histogram of `LATENCY_BUCKETS_MS`; absent until a latency is recorded. */
  latency: number[] | undefined
}

interface FlagTally {
  /** Under a rollout (error unit hashes are sent). */
  rollout: boolean
  /** `urgent` fired for this flag in this window. */
  urgent: boolean
  variants: Map<string, Tally>
}

/**
 * The signals of a client with one context (a page, a `RemoteFlagClient`):
 * the `SignalsBatch` of `POST /v1/sdk/signals`, as `SignalsAggregator`
 * builds it, from plain counters per flag and variant served. A page has a
 * handful of flags and one unit, so it needs neither the aggregator's typed
 * arrays nor its distinct-count sketch, and weighs a third of it in a
 * bundle; a test holds both to the same batches.
 */
export class PageSignals {
  /** Who sends the batches. */
  readonly sdk: SdkInfo
  readonly #now: () => number
  readonly #urgentErrors: number
  readonly #onListenerError: (error: unknown) => void
  #flags = new Map<string, FlagTally>()
  #tripped = new Set<string>()
  #listeners: ((event: SignalsEvent) => void)[] = []
  #windowStart: number

  constructor(options: SignalsAggregatorOptions) {
    this.sdk = { ...options.sdk }
    this.#now = options.now ?? Date.now
    this.#urgentErrors = Math.max(1, options.urgentErrors ?? 10)
    this.#windowStart = this.#now()
    const logger = options.logger ?? defaultLogger
    this.#onListenerError = (error) => logger.error('[floodgate] an urgent listener threw', error)
  }

  /** Listens for `urgent`, as `SignalsAggregator.on` does. Returns the function that stops listening. */
  on(_type: 'urgent', listener: (event: SignalsEvent) => void): () => void {
    this.#listeners = [...this.#listeners, listener]
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener)
    }
  }

  /** Counts one exposure of `variant` of flag `key` (`rollout`: under a running rollout). */
  expose(key: string, variant: string, rollout: boolean): void {
    this.#tally(key, variant, rollout).exposures++
  }

  /**
   * Counts an outcome of `variant`, with its latency and its unit's
   * `unitHash` when known, and fires `urgent` when a rollout's treatment
   * errors cross `urgentErrors` in this window.
   */
  outcome(
    key: string,
    variant: string,
    rollout: { treatment: string } | undefined,
    ok: boolean,
    latencyMs?: number,
    unitHash?: number,
  ): void {
    const tally = this.#tally(key, variant, rollout !== undefined)
    if (ok) tally.successes++
    else {
      tally.errors++
      if (unitHash === undefined) tally.anonymous++
      else tally.units.add(unitHash)
    }
    if (latencyMs !== undefined && Number.isFinite(latencyMs) && latencyMs >= 0) {
      tally.latency ??= new Array<number>(LATENCY_BUCKETS_MS.length + 4).fill(0)
      const latency = tally.latency
      latency[0] = (latency[0] as number) + 1
      latency[1] = (latency[1] as number) + latencyMs
      latency[2] = Math.max(latency[2] as number, latencyMs)
      const bucket = 3 + latencyBucket(latencyMs)
      latency[bucket] = (latency[bucket] as number) + 1
    }
    const flag = this.#flags.get(key) as FlagTally
    if (
      !ok &&
      variant === rollout?.treatment &&
      !flag.urgent &&
      tally.errors >= this.#urgentErrors
    ) {
      flag.urgent = true
      this.#emit({ type: 'urgent', flagKey: key, cause: 'errors' })
    }
  }

  /** Lists a flag in the next batch's `tripped` and fires `urgent`. */
  markTripped(key: string): void {
    this.#tripped.add(key)
    this.#emit({ type: 'urgent', flagKey: key, cause: 'localGuardTrip' })
  }

  /** The batch of the window since the last drain, and a fresh window; `null` when nothing was counted. */
  drain(now: number = this.#now()): SignalsBatch | null {
    const flags: Record<string, Record<string, VariantSignals>> = {}
    for (const [key, flag] of this.#flags) {
      const variants: Record<string, VariantSignals> = {}
      for (const [name, t] of flag.variants) {
        if (t.exposures === 0 && t.successes === 0 && t.errors === 0) continue
        const errorUnits = Math.min(t.errors, t.units.size + t.anonymous)
        const signals: VariantSignals = {
          exposures: t.exposures,
          successes: t.successes,
          errors: t.errors,
          errorUnits,
        }
        if (flag.rollout && errorUnits > 0) {
          const hashes = [...t.units].sort((a, b) => a - b).slice(0, MAX_ERROR_UNIT_HASHES)
          signals.errorUnitHashes = hashes
          signals.errorUnitHashesDropped = Math.max(0, errorUnits - hashes.length)
        }
        if (t.latency !== undefined) {
          const [count, sumMs, maxMs, ...buckets] = t.latency as [number, number, number]
          signals.latencyMs = { count, sumMs, maxMs, buckets }
        }
        variants[name] = signals
      }
      if (Object.keys(variants).length > 0) flags[key] = variants
    }
    const tripped = [...this.#tripped]
    const start = this.#windowStart
    this.#windowStart = now
    this.#flags = new Map()
    this.#tripped = new Set()
    if (Object.keys(flags).length === 0 && tripped.length === 0) return null
    const batch: SignalsBatch = {
      id: randomId(),
      sdk: { ...this.sdk },
      window: { start, end: Math.max(start, now) },
      flags,
    }
    if (tripped.length > 0) batch.tripped = tripped
    return batch
  }

  #tally(key: string, variant: string, rollout: boolean): Tally {
    let flag = this.#flags.get(key)
    if (flag === undefined) {
      flag = { rollout, urgent: false, variants: new Map() }
      this.#flags.set(key, flag)
    }
    flag.rollout = rollout
    let tally = flag.variants.get(variant)
    if (tally === undefined) {
      tally = {
        exposures: 0,
        successes: 0,
        errors: 0,
        units: new Set(),
        anonymous: 0,
        latency: undefined,
      }
      flag.variants.set(variant, tally)
    }
    return tally
  }

  #emit(event: SignalsEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event)
      } catch (error) {
        this.#onListenerError(error)
      }
    }
  }
}
