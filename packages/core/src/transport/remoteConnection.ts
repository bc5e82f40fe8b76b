import { KEEPALIVE_BODY_LIMIT } from '../constants'
import { defaultLogger } from '../defaultLogger'
import { SchemaError, TransportError } from '../errors'
import { messageOf } from '../evaluate'
import type { RemoteFlagClient, RemoteFlagClientOptions } from '../remoteFlagClient'
import type { Logger } from '../types'
import { Backoff } from './backoff'
import { type SendOutcome, SignalsSender } from './signalsSender'
import { StreamSource } from './streamSource'
import { backgroundTimeout } from './timers'

/**
 * The network side of a `RemoteFlagClient`, on plain `fetch` (no HTTP
 * library: this is the browser's lean path). It streams
 * `POST /v1/sdk/evaluate/stream` with the client's context (`put` on
 * connect, `patch` per change), reconnecting with backoff; or, without
 * streaming, polls `POST /v1/sdk/evaluate` with `If-None-Match`. It sends
 * the signals batches, and starts over when the context changes.
 */
export class RemoteConnection {
  /** Resolves once the first sync succeeded or failed. */
  readonly firstSync: Promise<void>
  readonly #lifetime = new AbortController()
  #attempt: AbortController | undefined
  readonly #backoff: Backoff
  readonly #stream: StreamSource
  readonly #sender: SignalsSender
  readonly #logger: Logger
  readonly #fetchImpl: typeof fetch
  readonly #streaming: boolean
  /** The server's URL without a trailing slash. */
  readonly #base: string
  #waiters: (() => void)[] = []
  #pollTimer: ReturnType<typeof setTimeout> | undefined
  #paused = false
  /** The `ETag` of the evaluation held, for the context it was made for: `reconnect` drops it. */
  #etag: string | undefined
  #lastLogged: string | undefined
  #wake: (() => void) | undefined

  readonly #client: RemoteFlagClient
  readonly #options: RemoteFlagClientOptions

  constructor(client: RemoteFlagClient, options: RemoteFlagClientOptions) {
    this.#client = client
    this.#options = options
    this.#logger = options.logger ?? defaultLogger
    this.#fetchImpl = options.fetch ?? ((input, init) => fetch(input, init))
    this.#streaming = options.streaming ?? true
    this.#base = options.url.replace(/\/+$/, '')
    this.#backoff = new Backoff(options.backoff)
    this.#stream = new StreamSource(options.heartbeatTimeoutMs ?? 45_000, toTransportError)
    const keepalive = options.signalsKeepalive ?? false
    this.#sender = new SignalsSender(
      client.signals,
      async (batch): Promise<SendOutcome> => {
        const body = JSON.stringify(batch)
        try {
          await this.#request(
            'v1/sdk/signals',
            undefined,
            {},
            false,
            body,
            keepalive && body.length < KEEPALIVE_BODY_LIMIT,
          )
          return 'sent'
        } catch (error) {
          const failure = toTransportError(error, 'sending signals')
          this.#logOnce(failure)
          return failure.status === 400 || failure.status === 413 ? 'rejected' : 'retry'
        }
      },
      {
        intervalMs: options.signalsIntervalMs ?? 10_000,
        maxBacklog: 20,
        urgentGapMs: 1000,
        now: Date.now,
      },
    )
    this.firstSync = new Promise((resolve) => this.#waiters.push(resolve))
  }

  /** Starts streaming (or polling) and the signals interval. */
  start(): void {
    if (this.#lifetime.signal.aborted || this.#attempt !== undefined) return
    this.#sender.start()
    this.#cycle()
  }

  /** Starts over for the client's new context; resolves at the next sync, success or failure. */
  reconnect(): Promise<void> {
    if (this.#lifetime.signal.aborted) return Promise.resolve()
    const synced = new Promise<void>((resolve) => this.#waiters.push(resolve))
    this.#etag = undefined
    this.#backoff.reset()
    this.#cycle()
    return synced
  }

  /** Sends the signals counted so far now. Never rejects. */
  flushSignals(): Promise<void> {
    return this.#sender.flush()
  }

  /** Stops polling until `resumePolling`; a stream stays open. */
  pausePolling(): void {
    this.#paused = true
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer)
    this.#pollTimer = undefined
  }

  /** Polls at once, then on the interval again. */
  resumePolling(): void {
    if (!this.#paused) return
    this.#paused = false
    const attempt = this.#attempt
    if (!this.#streaming && attempt !== undefined) this.#schedulePoll(attempt.signal, 0)
  }

  /** Closes the stream, stops polling and flushes the signals. Never rejects. */
  async close(): Promise<void> {
    this.#lifetime.abort()
    this.#attempt?.abort()
    this.pausePolling()
    this.#wake?.()
    this.#settle()
    await this.#sender.stop()
  }

  /** Drops what runs now and starts again: a stream, or a poll at once. */
  #cycle(): void {
    this.#attempt?.abort()
    this.#wake?.()
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer)
    this.#pollTimer = undefined
    const attempt = new AbortController()
    this.#attempt = attempt
    if (this.#streaming) void this.#streamLoop(attempt.signal)
    else void this.#poll(attempt.signal)
  }

  async #streamLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let delivered = false
      const end = await this.#stream.run(
        (opened) =>
          this.#request('v1/sdk/evaluate/stream', opened, { accept: 'text/event-stream' }, true),
        signal,
        {
          onEvent: (event) => {
            if (event.event === 'put') this.#client.setEvaluationFromJson(event.data)
            else if (event.event === 'patch') this.#client.applyEvaluationPatchFromJson(event.data)
            else return
            delivered = true
            this.#synced()
          },
        },
      )
      if (signal.aborted) return
      if (delivered) this.#backoff.reset()
      let delay: number
      if (end.error !== undefined) {
        this.#fail(end.error)
        delay = end.error.code === 'unauthorized' ? this.#backoff.max() : this.#backoff.next()
      } else if (end.retryMs !== undefined) {
        // A server going down asks to wait; jitter spreads the fleet's return.
        delay = end.retryMs + (this.#backoff.next() % 1000)
      } else {
        delay = this.#backoff.next()
      }
      await this.#sleep(delay)
    }
  }

  async #poll(signal: AbortSignal): Promise<void> {
    let next = this.#options.pollIntervalMs ?? 30_000
    try {
      const headers: Record<string, string> =
        this.#etag === undefined ? {} : { 'if-none-match': this.#etag }
      const response = await this.#request('v1/sdk/evaluate', signal, headers)
      // An answer for a context that was replaced meanwhile is no sync.
      if (signal.aborted) return
      if (response.status === 304) {
        this.#client.markCurrent()
      } else {
        const text = await response.text()
        if (signal.aborted) return
        this.#client.setEvaluationFromJson(text)
        this.#etag = response.headers.get('etag') ?? undefined
      }
      this.#backoff.reset()
      this.#synced()
    } catch (error) {
      if (signal.aborted) return
      const failure = toTransportError(error, 'fetching the evaluation')
      this.#fail(failure)
      next = failure.code === 'unauthorized' ? this.#backoff.max() : this.#backoff.next()
    }
    if (!signal.aborted && !this.#paused) this.#schedulePoll(signal, next)
  }

  #schedulePoll(signal: AbortSignal, ms: number): void {
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer)
    this.#pollTimer = backgroundTimeout(() => {
      this.#pollTimer = undefined
      if (!signal.aborted) void this.#poll(signal)
    }, ms)
  }

  /**
   * One request with the token and the context; `timeoutMs` bounds the wait
   * for the response headers only (a stream's body runs on, and `signal`
   * still aborts it, so a stream's signal must be its own). Throws a
   * `TransportError` for a failure and for any status but 2xx and 304.
   */
  async #request(
    path: string,
    signal: AbortSignal | undefined,
    headers: Record<string, string>,
    stream = false,
    body = JSON.stringify({ context: this.#client.getContext() }),
    keepalive = false,
  ): Promise<Response> {
    const controller = new AbortController()
    const abort = () => controller.abort()
    signal?.addEventListener('abort', abort, { once: true })
    let timedOut = false
    const timeoutMs = this.#options.timeoutMs ?? 10_000
    const timer = backgroundTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    try {
      const response = await this.#fetchImpl(`${this.#base}/${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#options.token}`,
          'content-type': 'application/json',
          ...headers,
        },
        body,
        keepalive,
        signal: controller.signal,
      })
      if (response.ok || response.status === 304) return response
      const status = response.status
      if (status === 401 || status === 403) {
        throw new TransportError(
          'unauthorized',
          `${path}: the server rejected the token (${status}); check that it is a valid, unrevoked client token`,
          { status },
        )
      }
      throw new TransportError('http', `${path}: the server answered ${status}`, { status })
    } catch (error) {
      if (timedOut) throw new TransportError('timeout', `${path}: no answer within ${timeoutMs} ms`)
      throw error
    } finally {
      clearTimeout(timer)
      if (!stream) signal?.removeEventListener('abort', abort)
    }
  }

  #synced(): void {
    this.#lastLogged = undefined
    this.#settle()
  }

  #fail(error: TransportError): void {
    this.#client.reportError(error)
    this.#logOnce(error)
    this.#settle()
  }

  /** Resolves whoever waits for the next sync (the first sync, a `reconnect`). */
  #settle(): void {
    for (const resolve of this.#waiters.splice(0)) resolve()
  }

  /** Logs a failure once while it repeats, not once per retry. */
  #logOnce(error: TransportError): void {
    const key = `${error.code}:${error.message}`
    if (key === this.#lastLogged) return
    this.#lastLogged = key
    this.#logger.warn(`[floodgate] ${error.message}`)
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = backgroundTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = done
    })
  }
}

function toTransportError(error: unknown, what: string): TransportError {
  if (error instanceof TransportError) return error
  if (error instanceof SchemaError) {
    return new TransportError('invalid_response', `${what}: ${error.message}`, { cause: error })
  }
  return new TransportError('network', `${what}: ${messageOf(error)}`, { cause: error })
}
