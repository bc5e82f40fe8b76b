import { randomBytes } from 'node:crypto'
import type { ClaimedWebhookDelivery, Store } from '../store/store'
import type {
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEventType,
} from '../types'
import { signWebhookPayload, WEBHOOK_SIGNATURE_HEADER } from './webhookSignature'

/** Where the dispatcher reads the time (injected in tests so that retries need no sleeping). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
}

/** An event to send to the endpoints that subscribe to it. */
export interface WebhookEvent {
  type: WebhookEventType
  /** The environment it is about, matched against endpoints' environment filters; `null` for none. */
  environment: string | null
  /** ISO time at which it happened. */
  createdAt: string
  /** The payload's `data`. */
  data: Record<string, unknown>
}

/** The JSON body of every delivery. */
export interface WebhookPayload {
  /** The event's id (`evt_…`), the same in every attempt and for every endpoint: receivers deduplicate on it. */
  id: string
  type: WebhookEventType
  createdAt: string
  data: Record<string, unknown>
}

/** The retry schedule: attempt n (1-based) failing waits `baseMs · factor^(n-1)`, capped, ± jitter. */
export interface WebhookBackoff {
  /** Default 10000 (10 s). */
  baseMs: number
  /** Default 4. */
  factor: number
  /** Default 6 h. */
  maxMs: number
  /** Relative spread, so that endpoints recovering together are not hit in lockstep. Default 0.2 (±20 %). */
  jitter: number
}

/** One recorded attempt, as `onAttempt` hears it. */
export interface WebhookAttemptOutcome {
  deliveryId: string
  endpointId: string
  attempt: WebhookAttempt
  /** The delivery's state after the attempt: `pending` means a retry is scheduled. */
  state: WebhookDeliveryState
}

/** A minimal logger (pino's shape). */
export interface WebhookLogger {
  warn(object: object, message: string): void
  error(object: object, message: string): void
}

/** Options of `WebhookDispatcher`; all but `store` have defaults. */
export interface WebhookDispatcherOptions {
  store: Store
  /** Default the system clock. */
  clock?: Clock
  /** Uniform random numbers in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number
  /** How long one attempt may take before it counts as failed, in ms. Default 10000. */
  timeoutMs?: number
  /** Attempts before a delivery is marked failed. Default 8. */
  maxAttempts?: number
  backoff?: Partial<WebhookBackoff>
  /** How often a started dispatcher looks for due deliveries, in ms. Default 1000. */
  pollMs?: number
  /** Deliveries claimed (and sent concurrently) at a time. Default 20. */
  batchSize?: number
  /** How long succeeded and failed deliveries stay in the log, in ms (`pruneLog`). Default 30 days. */
  logRetentionMs?: number
  /** This dispatcher's name in claims. Default a random id: two replicas never share one. */
  owner?: string
  logger?: WebhookLogger
  /** Called after every attempt is recorded (metrics). */
  onAttempt?: (outcome: WebhookAttemptOutcome) => void
}

const USER_AGENT = 'Floodgate-Webhooks/1'
// A claim outlives the attempt's timeout by this much, so that a slow
// database write after the response does not let another replica re-send.
const LEASE_MARGIN_MS = 30_000

/**
 * Sends webhook events: queues one delivery per matching endpoint in the
 * store (so deliveries survive restarts), claims due deliveries so that
 * replicas sharing a database never send the same one at the same time,
 * signs and POSTs them, and retries failures with exponential backoff and
 * jitter until `maxAttempts`, then marks them failed. Delivery is at least
 * once: receivers deduplicate on the payload's `id`.
 *
 * @example
 * const dispatcher = new WebhookDispatcher({ store })
 * dispatcher.start()
 * await dispatcher.publish({ type: 'rollout.started', environment: 'production', createdAt, data })
 */
export class WebhookDispatcher {
  private readonly store: Store
  private readonly clock: Clock
  private readonly random: () => number
  private readonly timeoutMs: number
  private readonly maxAttempts: number
  private readonly backoff: WebhookBackoff
  private readonly pollMs: number
  private readonly batchSize: number
  private readonly owner: string
  private readonly logRetentionMs: number
  private readonly logger: WebhookLogger | undefined
  private readonly onAttempt: ((outcome: WebhookAttemptOutcome) => void) | undefined
  private timer: ReturnType<typeof setInterval> | undefined
  private running: Promise<number> | undefined
  private again = false
  private readonly publishing = new Set<Promise<unknown>>()

  constructor(options: WebhookDispatcherOptions) {
    this.store = options.store
    this.clock = options.clock ?? { now: () => Date.now() }
    this.random = options.random ?? Math.random
    this.timeoutMs = options.timeoutMs ?? 10_000
    this.maxAttempts = options.maxAttempts ?? 8
    this.backoff = {
      baseMs: 10_000,
      factor: 4,
      maxMs: 6 * 3600_000,
      jitter: 0.2,
      ...options.backoff,
    }
    this.pollMs = options.pollMs ?? 1000
    this.batchSize = options.batchSize ?? 20
    this.logRetentionMs = options.logRetentionMs ?? 30 * 86_400_000
    this.owner = options.owner ?? `dispatcher_${randomBytes(8).toString('hex')}`
    this.logger = options.logger
    this.onAttempt = options.onAttempt
  }

  /** Polls for due deliveries every `pollMs` until `stop()`; `publish` also wakes it at once. */
  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.wake(), this.pollMs)
    this.timer.unref()
    this.wake()
  }

  /** Stops polling and waits for the events being queued and the attempts in flight; undelivered events stay queued. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    this.again = false
    await Promise.allSettled(this.publishing)
    await this.running
  }

  /**
   * Queues an event for every enabled endpoint whose event and environment
   * filters match, and wakes a started dispatcher. Returns the deliveries queued.
   */
  publish(event: WebhookEvent): Promise<WebhookDelivery[]> {
    const queued = this.queue(event)
    this.publishing.add(queued)
    const forget = () => this.publishing.delete(queued)
    queued.then(forget, forget)
    return queued
  }

  private async queue(event: WebhookEvent): Promise<WebhookDelivery[]> {
    const endpoints = (await this.store.listWebhookEndpoints()).filter(
      (e) =>
        e.enabled &&
        (e.events.length === 0 || e.events.some((type) => type === event.type)) &&
        (e.environments.length === 0 ||
          (event.environment !== null && e.environments.includes(event.environment))),
    )
    const deliveries = await this.enqueue(
      event,
      endpoints.map((e) => e.id),
    )
    if (deliveries.length > 0 && this.timer) this.wake()
    return deliveries
  }

  /**
   * Sends a `ping` event to one endpoint (enabled or not) through the usual
   * queue and makes its first attempt now; a failed ping is retried like any
   * delivery. Resolves with the delivery after that attempt, or `undefined`
   * when the endpoint does not exist.
   */
  async ping(endpointId: string): Promise<WebhookDelivery | undefined> {
    const endpoint = await this.store.getWebhookEndpoint(endpointId)
    if (!endpoint) return undefined
    const [delivery] = await this.enqueue(
      {
        type: 'ping',
        environment: null,
        createdAt: new Date(this.clock.now()).toISOString(),
        data: { endpointId, url: endpoint.url },
      },
      [endpointId],
    )
    if (!delivery) return undefined
    const claimed = await this.claim(delivery.id)
    await Promise.all(claimed.map((c) => this.attempt(c)))
    // A polling run may have claimed it first; its attempt is then in flight there.
    if (claimed.length === 0) await this.running
    return this.store.getWebhookDelivery(delivery.id)
  }

  /**
   * Sends every delivery due now, batch after batch, and resolves with the
   * number of attempts made. Concurrent calls share one run.
   */
  runDue(): Promise<number> {
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = async () => {
      let attempts = 0
      do {
        this.again = false
        for (;;) {
          const claimed = await this.claim()
          await Promise.all(claimed.map((c) => this.attempt(c)))
          attempts += claimed.length
          if (claimed.length < this.batchSize) break
        }
      } while (this.again)
      return attempts
    }
    this.running = run().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /** Forgets succeeded and failed deliveries older than `logRetentionMs`; pending ones stay. Returns how many. */
  pruneLog(): Promise<number> {
    return this.store.pruneWebhookDeliveries(
      new Date(this.clock.now() - this.logRetentionMs).toISOString(),
    )
  }

  /** The delay before the attempt after failed attempt `attempt` (1-based), jitter included. */
  retryDelayMs(attempt: number): number {
    const { baseMs, factor, maxMs, jitter } = this.backoff
    const delay = Math.min(maxMs, baseMs * factor ** (attempt - 1))
    return Math.round(delay * (1 - jitter + 2 * jitter * this.random()))
  }

  private wake(): void {
    this.runDue().catch((error: unknown) => {
      this.logger?.error({ err: error }, 'sending webhooks failed')
    })
  }

  private enqueue(event: WebhookEvent, endpointIds: string[]): Promise<WebhookDelivery[]> {
    const id = `evt_${randomBytes(12).toString('hex')}`
    const payload: WebhookPayload = {
      id,
      type: event.type,
      createdAt: event.createdAt,
      data: event.data,
    }
    return this.store.enqueueWebhookDeliveries({
      eventId: id,
      eventType: event.type,
      environment: event.environment,
      payload: JSON.stringify(payload),
      endpointIds,
      now: new Date(this.clock.now()).toISOString(),
    })
  }

  private claim(deliveryId?: string): Promise<ClaimedWebhookDelivery[]> {
    const now = this.clock.now()
    return this.store.claimWebhookDeliveries({
      owner: this.owner,
      now: new Date(now).toISOString(),
      leaseUntil: new Date(now + this.timeoutMs + LEASE_MARGIN_MS).toISOString(),
      limit: deliveryId === undefined ? this.batchSize : 1,
      ...(deliveryId === undefined ? {} : { deliveryId }),
    })
  }

  private async attempt(claimed: ClaimedWebhookDelivery): Promise<void> {
    const { delivery } = claimed
    const attempt = delivery.attempts + 1
    const at = this.clock.now()
    const started = performance.now()
    const outcome = await this.post(claimed, Math.floor(at / 1000), attempt)
    const durationMs = performance.now() - started
    const failed = outcome.error !== null
    const state = !failed ? 'succeeded' : attempt >= this.maxAttempts ? 'failed' : 'pending'
    const record: WebhookAttempt = {
      attempt,
      at: new Date(at).toISOString(),
      ...outcome,
      durationMs,
    }
    const recorded = await this.store.recordWebhookAttempt({
      deliveryId: delivery.id,
      owner: this.owner,
      attempt: record,
      state,
      nextAttemptAt:
        state === 'pending'
          ? new Date(this.clock.now() + this.retryDelayMs(attempt)).toISOString()
          : null,
    })
    if (!recorded) {
      this.logger?.warn(
        { delivery: delivery.id },
        'a webhook attempt outlived its claim; another dispatcher took the delivery over',
      )
      return
    }
    if (state === 'failed') {
      this.logger?.warn(
        { delivery: delivery.id, endpoint: delivery.endpointId, error: outcome.error },
        `webhook delivery failed after ${attempt} attempts`,
      )
    }
    this.onAttempt?.({
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      attempt: record,
      state,
    })
  }

  private async post(
    claimed: ClaimedWebhookDelivery,
    timestampSec: number,
    attempt: number,
  ): Promise<{ statusCode: number | null; error: string | null }> {
    const { delivery } = claimed
    try {
      const response = await fetch(claimed.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(
            claimed.secret,
            claimed.payload,
            timestampSec,
          ),
          'Floodgate-Event': delivery.eventType,
          'Floodgate-Delivery': delivery.id,
          'Floodgate-Attempt': String(attempt),
        },
        body: claimed.payload,
      })
      // The body is not needed; cancelling frees the connection at once.
      await response.body?.cancel()
      const ok = response.status >= 200 && response.status < 300
      return { statusCode: response.status, error: ok ? null : `HTTP ${response.status}` }
    } catch (error) {
      return { statusCode: null, error: describeFetchError(error, this.timeoutMs) }
    }
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `timed out after ${timeoutMs} ms`
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))
}
