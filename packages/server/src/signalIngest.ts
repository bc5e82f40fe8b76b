import type { SignalsBatch } from '@floodgate/core'
import type { FastifyBaseLogger } from 'fastify'
import type { Metrics } from './metrics'
import type { SignalsInput, Store } from './store/store'

/** A signals batch that was accepted and committed: what `SignalIngest` listeners hear. */
export interface SignalsEvent {
  environment: string
  /** The batch, restricted to the flags and variants the environment has. */
  batch: SignalsBatch
  /** ISO start of the aggregation bucket it was counted in. */
  bucketStart: string
  receivedAt: string
}

/** What `ingest` did with a batch. */
export interface IngestResult {
  /** This replica saw the batch's `id` recently, so it was not counted again. */
  duplicate: boolean
  /** Flags (or `flag/variant`s) the environment does not have; they were not counted. */
  ignored: string[]
}

/** Batches held while the store fails, beyond which the oldest are dropped. */
const MAX_PENDING = 100_000

/** Options of `SignalIngest`. */
export interface SignalIngestOptions {
  /** Width of an aggregation bucket in ms. */
  bucketMs: number
  /** How often the batches held in memory are written to the store, in ms. */
  flushMs: number
  /** How long a batch id is remembered in memory to answer a retry `duplicate`, in ms. */
  recentIdsMs: number
  /** The variants of a flag in an environment, or `undefined` when it has no such flag. */
  variantsOf: (environment: string, flagKey: string) => Record<string, unknown> | undefined
  metrics: Metrics
  logger: FastifyBaseLogger
}

/**
 * The signals ingestion path. Accepted batches are held in memory and
 * written every `flushMs` in one store call (one statement on PostgreSQL),
 * so a replica's write load does not grow with the number of SDKs; `close`
 * writes what is held. The store drops a batch that any replica already
 * recorded, so a retry sent to another replica is not counted twice;
 * a retry to the same replica is answered `duplicate` at once. Listeners
 * (the rollout controller hooks in here) hear each batch this replica
 * accepted, when it is accepted.
 */
export class SignalIngest {
  private readonly listeners = new Set<(event: SignalsEvent) => void>()
  private pending: SignalsInput[] = []
  private readonly recentIds = new Map<string, number>()
  private flushing: Promise<void> = Promise.resolve()
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly store: Store,
    private readonly options: SignalIngestOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushMs)
    this.timer.unref()
  }

  /** Width of an aggregation bucket in ms: the resolution of the stored signals. */
  get bucketMs(): number {
    return this.options.bucketMs
  }

  /** Listens to accepted batches; returns the unsubscribe function. A listener that throws is logged and the rest still run. */
  subscribe(listener: (event: SignalsEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  ingest(environment: string, batch: SignalsBatch): IngestResult {
    const ignored: string[] = []
    const flags: SignalsBatch['flags'] = {}
    for (const [flagKey, variants] of Object.entries(batch.flags)) {
      const known = this.options.variantsOf(environment, flagKey)
      if (!known) {
        ignored.push(flagKey)
        continue
      }
      const kept: (typeof flags)[string] = {}
      for (const [variant, signals] of Object.entries(variants)) {
        if (Object.hasOwn(known, variant)) kept[variant] = signals
        else ignored.push(`${flagKey}/${variant}`)
      }
      flags[flagKey] = kept
    }
    const now = Date.now()
    if (batch.id !== undefined) {
      const key = `${environment}\u0000${batch.id}`
      const seen = this.recentIds.get(key)
      if (seen !== undefined && now - seen < this.options.recentIdsMs) {
        this.options.metrics.signalBatches.inc({ result: 'duplicate' })
        return { duplicate: true, ignored }
      }
      // Re-inserted, so the map stays in time order for pruning.
      this.recentIds.delete(key)
      this.recentIds.set(key, now)
    }
    const accepted: SignalsBatch = { ...batch, flags }
    const receivedAt = new Date(now).toISOString()
    const bucketMs = this.options.bucketMs
    const bucketStart = new Date(Math.floor(batch.window.start / bucketMs) * bucketMs).toISOString()
    this.pending.push({ environment, batch: accepted, bucketStart, receivedAt })
    this.options.metrics.signalBatches.inc({ result: 'accepted' })
    const event: SignalsEvent = { environment, batch: accepted, bucketStart, receivedAt }
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        this.options.logger.error({ err: error }, 'a signals listener threw')
      }
    }
    return { duplicate: false, ignored }
  }

  /** Writes the batches held in memory; resolves when they are committed (a failed write keeps them for the next flush). */
  flush(): Promise<void> {
    const run = async () => {
      const inputs = this.pending
      if (inputs.length === 0) return
      this.pending = []
      try {
        const { duplicates } = await this.store.recordSignalBatches(inputs)
        if (duplicates > 0) {
          this.options.metrics.signalBatches.inc({ result: 'duplicate_elsewhere' }, duplicates)
        }
      } catch (error) {
        this.pending = inputs.concat(this.pending).slice(-MAX_PENDING)
        this.options.logger.error(
          { err: error, batches: inputs.length },
          'writing signals failed; keeping them for the next flush',
        )
      }
      const cutoff = Date.now() - this.options.recentIdsMs
      for (const [key, at] of this.recentIds) {
        if (at >= cutoff) break
        this.recentIds.delete(key)
      }
    }
    this.flushing = this.flushing.then(run)
    return this.flushing
  }

  /** Stops the timer and writes what is held. */
  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.flush()
  }
}
