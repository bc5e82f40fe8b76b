import { defaultLogger } from './defaultLogger'
import { FlagCounters } from './flagCounters'
import { randomId } from './randomId'
import { SafeEmitter } from './safeEmitter'
import type { SignalsBatch, VariantSignals } from './schemas'
import type { SdkInfo, SignalsAggregatorOptions, SignalsEvent } from './types'

const DEFAULT_URGENT_ERRORS = 10

/**
 * Aggregates health signals per flag and served variant (exposures,
 * successes, errors, distinct error units, a latency histogram) into the
 * `SignalsBatch` of `POST /v1/sdk/signals`. Memory is bounded by the flags
 * and variants in the snapshot, never by traffic: counters, not events.
 *
 * A `FlagClient` owns one (`client.signals`) and feeds it; the transport
 * drains it every few seconds and flushes at once on `urgent`.
 *
 * @example
 * const off = client.signals.on('urgent', () => flushNow())
 * setInterval(() => {
 *   const batch = client.signals.drain()
 *   if (batch) send(batch)
 * }, 5000)
 */
export class SignalsAggregator {
  /** Who sends the batches. */
  readonly sdk: SdkInfo
  readonly #now: () => number
  readonly #urgentErrors: number
  readonly #active = new Map<string, FlagCounters>()
  /** Windows of flags that left the snapshot or changed variants since the last drain. */
  readonly #retired = new Map<string, FlagCounters>()
  readonly #tripped = new Set<string>()
  #windowStart: number
  readonly #events: SafeEmitter<SignalsEvent>

  constructor(options: SignalsAggregatorOptions) {
    this.sdk = { ...options.sdk }
    this.#now = options.now ?? Date.now
    this.#urgentErrors = Math.max(1, options.urgentErrors ?? DEFAULT_URGENT_ERRORS)
    this.#windowStart = this.#now()
    const logger = options.logger ?? defaultLogger
    this.#events = new SafeEmitter<SignalsEvent>((error) => {
      logger.error('[floodgate] an urgent listener threw', error)
    })
  }

  /**
   * Listens for `urgent`: errors for a flag under a rollout spiked (its local
   * guard tripped, or its treatment's errors in this window reached
   * `urgentErrors`), so the transport should flush now rather than wait.
   * Fires at most once per flag and cause per window. Returns the function
   * that stops listening.
   */
  on(type: 'urgent', listener: (event: SignalsEvent) => void): () => void {
    return this.#events.on(type, listener)
  }

  /**
   * The counters of a flag with these variants (in this order), reused while
   * the variants stay the same. `treatment` is the variant index of a running
   * rollout's treatment, or -1.
   */
  track(flagKey: string, variants: readonly string[], treatment: number): FlagCounters {
    const current = this.#active.get(flagKey)
    if (current !== undefined && sameList(current.variants, variants)) {
      current.treatment = treatment
      return current
    }
    if (current !== undefined) this.#retire(current)
    const counters = new FlagCounters(flagKey, variants, treatment)
    this.#active.set(flagKey, counters)
    return counters
  }

  /** Stops tracking a flag that left the snapshot; what it counted is still in the next batch. */
  untrack(flagKey: string): void {
    const current = this.#active.get(flagKey)
    if (current === undefined) return
    this.#active.delete(flagKey)
    this.#retire(current)
  }

  /**
   * Counts an outcome of variant `index` of a flag, with its latency and the
   * `unitHash` of its unit (the split's `by` value) when known, and fires `urgent` when a
   * rollout's treatment errors cross `urgentErrors` in this window.
   */
  recordOutcome(
    counters: FlagCounters,
    index: number,
    ok: boolean,
    latencyMs?: number,
    unitHash?: number,
  ): void {
    counters.recordOutcome(index, ok, latencyMs, unitHash)
    if (
      !ok &&
      index === counters.treatment &&
      !counters.urgentFired &&
      (counters.errors[index] as number) >= this.#urgentErrors
    ) {
      counters.urgentFired = true
      this.#events.emit({ type: 'urgent', flagKey: counters.flagKey, cause: 'errors' })
    }
  }

  /** Lists a flag in the next batch's `tripped` and fires `urgent`. */
  markTripped(flagKey: string): void {
    this.#tripped.add(flagKey)
    this.#events.emit({ type: 'urgent', flagKey, cause: 'localGuardTrip' })
  }

  /**
   * The batch of the window since the last drain (or since creation), and a
   * fresh window; `null` when nothing was counted and nothing tripped.
   * `now` (epoch milliseconds) ends the window; default: the clock option.
   */
  drain(now: number = this.#now()): SignalsBatch | null {
    const flags: [string, Record<string, VariantSignals>][] = []
    for (const key of new Set([...this.#retired.keys(), ...this.#active.keys()])) {
      const old = this.#retired.get(key)
      const current = this.#active.get(key)
      const counted = old && current ? FlagCounters.merge(old, current) : (old ?? current)
      if (counted?.hasActivity()) flags.push([key, counted.toSignals()])
    }
    const tripped = [...this.#tripped]
    const start = this.#windowStart
    this.#windowStart = now
    for (const counters of this.#active.values()) counters.reset()
    this.#retired.clear()
    this.#tripped.clear()
    if (flags.length === 0 && tripped.length === 0) return null
    const batch: SignalsBatch = {
      id: randomId(),
      sdk: { ...this.sdk },
      window: { start, end: Math.max(start, now) },
      flags: Object.fromEntries(flags),
    }
    if (tripped.length > 0) batch.tripped = tripped
    return batch
  }

  #retire(counters: FlagCounters): void {
    const old = this.#retired.get(counters.flagKey)
    this.#retired.set(counters.flagKey, old ? FlagCounters.merge(old, counters) : counters)
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
