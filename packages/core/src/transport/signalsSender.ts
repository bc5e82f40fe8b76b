import { randomId } from '../randomId'
import type { SignalsBatch } from '../schemas'
import type { SdkInfo, SignalsEvent } from '../types'
import { backgroundTimeout } from './timers'

/** What a `SignalsSender` drains: a `SignalsAggregator`, or a `PageSignals`. */
export interface SignalsSource {
  readonly sdk: SdkInfo
  on(type: 'urgent', listener: (event: SignalsEvent) => void): () => void
  drain(now?: number): SignalsBatch | null
}

/** What became of one attempt to deliver a batch. */
export type SendOutcome =
  /** The server has it. */
  | 'sent'
  /** Delivery failed or is in doubt: keep the batch and resend it, same id, later. */
  | 'retry'
  /** The server refused the batch itself (400): resending cannot help. */
  | 'rejected'

/** Options of `SignalsSender`. */
export interface SignalsSenderOptions {
  /** Time between two flushes, in ms. */
  intervalMs: number
  /** Batches kept while the server cannot be reached; the oldest are dropped beyond. */
  maxBacklog: number
  /** Least time between two flushes that an `urgent` event forces, in ms. */
  urgentGapMs: number
  /** Wall clock in epoch ms. */
  now: () => number
}

/** What a backlog had to drop, as `SignalsBatch.dropped` reports it. */
type Dropped = NonNullable<SignalsBatch['dropped']>

/**
 * Delivers the batches of a `SignalsAggregator`: every `intervalMs`, and at
 * once (at most every `urgentGapMs`) when the aggregator fires `urgent`, so
 * a failing canary reaches the controller within about a second.
 *
 * Each batch keeps the id it was drained with. A batch whose delivery failed
 * or is in doubt stays in the backlog and is resent as it is, never merged
 * into another batch: the server drops a batch id it already counted, and a
 * merged batch under a new id would count the first attempt twice. The
 * backlog is bounded (`maxBacklog`): the oldest batches go first, and what
 * they held is reported in the `dropped` field of a later batch.
 */
export class SignalsSender {
  readonly #backlog: SignalsBatch[] = []
  #tally: Dropped = { batches: 0, exposures: 0, errors: 0 }
  #timer: ReturnType<typeof setTimeout> | undefined
  #urgentTimer: ReturnType<typeof setTimeout> | undefined
  #running: Promise<void> | undefined
  #again = false
  #lastFlush = Number.NEGATIVE_INFINITY
  #offUrgent: (() => void) | undefined
  #stopped = false

  readonly #aggregator: SignalsSource
  readonly #post: (batch: SignalsBatch) => Promise<SendOutcome>
  readonly #options: SignalsSenderOptions

  constructor(
    aggregator: SignalsSource,
    post: (batch: SignalsBatch) => Promise<SendOutcome>,
    options: SignalsSenderOptions,
  ) {
    this.#aggregator = aggregator
    this.#post = post
    this.#options = options
  }

  /** Starts the interval and listens for `urgent`. */
  start(): void {
    if (this.#stopped || this.#offUrgent !== undefined) return
    this.#offUrgent = this.#aggregator.on('urgent', () => this.#urgent())
    this.#schedule()
  }

  /** Batches waiting for delivery. */
  get pending(): readonly SignalsBatch[] {
    return this.#backlog
  }

  /** What was dropped and not yet reported in a batch. */
  get unreported(): Readonly<Dropped> {
    return this.#tally
  }

  /**
   * Drains the aggregator into the backlog and sends the backlog, oldest
   * first, stopping at the first failure. Never rejects. A flush asked for
   * while one runs runs once more after it.
   */
  flush(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true
      return this.#running
    }
    this.#running = (async () => {
      do {
        this.#again = false
        await this.#flushOnce()
      } while (this.#again)
    })().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  /** Stops the interval and flushes one last time. Idempotent. */
  async stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true
      this.#offUrgent?.()
      if (this.#timer !== undefined) clearTimeout(this.#timer)
      if (this.#urgentTimer !== undefined) clearTimeout(this.#urgentTimer)
    }
    await this.flush()
  }

  #schedule(): void {
    this.#timer = backgroundTimeout(() => {
      if (this.#stopped) return
      void this.flush()
      this.#schedule()
    }, this.#options.intervalMs)
  }

  #urgent(): void {
    if (this.#stopped || this.#urgentTimer !== undefined) return
    const wait = this.#lastFlush + this.#options.urgentGapMs - this.#options.now()
    if (wait <= 0) {
      void this.flush()
      return
    }
    this.#urgentTimer = backgroundTimeout(() => {
      this.#urgentTimer = undefined
      void this.flush()
    }, wait)
  }

  async #flushOnce(): Promise<void> {
    this.#lastFlush = this.#options.now()
    this.#enqueue(this.#aggregator.drain(this.#lastFlush))
    for (;;) {
      while (this.#backlog.length > 0) {
        const batch = this.#backlog[0] as SignalsBatch
        let outcome: SendOutcome
        try {
          outcome = await this.#post(batch)
        } catch {
          outcome = 'retry'
        }
        if (outcome === 'retry') return
        this.#backlog.shift()
        if (outcome === 'rejected') this.#drop(batch)
      }
      if (this.#tally.batches === 0) return
      // The backlog is through and drops are still unreported: say so in a batch of their own.
      const now = this.#options.now()
      this.#enqueue({
        id: randomId(),
        sdk: { ...this.#aggregator.sdk },
        window: { start: now, end: now },
        flags: {},
      })
    }
  }

  #enqueue(batch: SignalsBatch | null): void {
    if (batch === null) return
    if (this.#tally.batches > 0) {
      batch.dropped = this.#tally
      this.#tally = { batches: 0, exposures: 0, errors: 0 }
    }
    this.#backlog.push(batch)
    while (this.#backlog.length > this.#options.maxBacklog) this.#drop(this.#backlog.shift())
  }

  /** Counts a batch that will never be delivered, with what it reported as dropped itself. */
  #drop(batch: SignalsBatch | undefined): void {
    if (batch === undefined) return
    let exposures = batch.dropped?.exposures ?? 0
    let errors = batch.dropped?.errors ?? 0
    for (const variants of Object.values(batch.flags)) {
      for (const counts of Object.values(variants)) {
        exposures += counts.exposures
        errors += counts.errors
      }
    }
    this.#tally = {
      batches: this.#tally.batches + 1 + (batch.dropped?.batches ?? 0),
      exposures: this.#tally.exposures + exposures,
      errors: this.#tally.errors + errors,
    }
  }
}
