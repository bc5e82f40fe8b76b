import type { SignalsBatch } from '@floodgate/core'
import type { FastifyBaseLogger } from 'fastify'
import type { Metrics } from './metrics'
import type { Store } from './store/store'

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
  /** The batch's `id` was seen before, so it was not counted again. */
  duplicate: boolean
  /** Flags (or `flag/variant`s) the environment does not have; they were not counted. */
  ignored: string[]
}

/**
 * The signals ingestion path: aggregates each accepted batch per
 * environment, flag, variant and time bucket in the store, drops retried
 * batches, then tells listeners (the rollout controller hooks in here).
 */
export class SignalIngest {
  private readonly listeners = new Set<(event: SignalsEvent) => void>()

  constructor(
    private readonly store: Store,
    private readonly options: {
      /** Width of an aggregation bucket in ms. */
      bucketMs: number
      /** The variants of a flag in an environment, or `undefined` when it has no such flag. */
      variantsOf: (environment: string, flagKey: string) => Record<string, unknown> | undefined
      metrics: Metrics
      logger: FastifyBaseLogger
    },
  ) {}

  /** Listens to accepted batches; returns the unsubscribe function. A listener that throws is logged and the rest still run. */
  subscribe(listener: (event: SignalsEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async ingest(environment: string, batch: SignalsBatch): Promise<IngestResult> {
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
    const accepted: SignalsBatch = { ...batch, flags }
    const receivedAt = new Date().toISOString()
    const bucketMs = this.options.bucketMs
    const bucketStart = new Date(Math.floor(batch.window.start / bucketMs) * bucketMs).toISOString()
    const { duplicate } = await this.store.recordSignals({
      environment,
      batch: accepted,
      bucketStart,
      receivedAt,
    })
    this.options.metrics.signalBatches.inc({ result: duplicate ? 'duplicate' : 'accepted' })
    if (!duplicate) {
      const event: SignalsEvent = { environment, batch: accepted, bucketStart, receivedAt }
      for (const listener of this.listeners) {
        try {
          listener(event)
        } catch (error) {
          this.options.logger.error({ err: error }, 'a signals listener threw')
        }
      }
    }
    return { duplicate, ignored }
  }
}
