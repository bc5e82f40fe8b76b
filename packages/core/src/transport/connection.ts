import { HTTPError, type KyInstance } from 'ky'
import { KEEPALIVE_BODY_LIMIT } from '../constants'
import { defaultLogger } from '../defaultLogger'
import { TransportError } from '../errors'
import { messageOf } from '../evaluate'
import type { FlagClient } from '../flagClient'
import { validateSnapshot, validateStreamPatch } from '../snapshotValidator'
import type { Logger } from '../types'
import { Backoff, type BackoffOptions } from './backoff'
import { createHttpClient, toTransportError } from './httpClient'
import { type SendOutcome, SignalsSender } from './signalsSender'
import { SnapshotFetcher } from './snapshotFetcher'
import type { SseMessage } from './sseParser'
import { StreamSource } from './streamSource'
import { backgroundTimeout } from './timers'

/** Options of `Connection`. Only `url` and `token` are required. */
export interface ConnectionOptions {
  /** The server's base URL, e.g. `https://flags.example.com`. */
  url: string
  /** An SDK token: `fg_server_…` (every flag) or `fg_client_…` (client-side flags only). */
  token: string
  /** Keep a stream open for instant updates; `false` polls only. Default `true`. */
  streaming?: boolean
  /** Time between two polls while polling (no streaming, or streaming keeps failing), in ms. Default 15000. */
  pollIntervalMs?: number
  /** Time between two signals batches, in ms. Default 10000. */
  signalsIntervalMs?: number
  /** Time allowed for one request until the response headers arrive, in ms. Default 10000. */
  timeoutMs?: number
  /** A stream silent this long is taken for dead and reconnected, in ms. Default 45000 (three missed heartbeats). */
  heartbeatTimeoutMs?: number
  /** Reconnection backoff of the stream: full jitter under a ceiling doubling from `initialMs` (1000) to `maxMs` (30000). */
  reconnect?: BackoffOptions
  /** Failed stream connections in a row after which the client polls. Default 3. */
  streamFailuresBeforePolling?: number
  /** While polling, how long before streaming is tried again, in ms. Default 60000. */
  streamRetryMs?: number
  /** Retries of one snapshot fetch (5xx, 408, 429, timeouts, network errors). Default 2. */
  fetchRetries?: number
  /** Signals batches kept while the server cannot be reached. Default 60 (10 minutes at the default interval). */
  maxSignalsBacklog?: number
  /**
   * Send signals with `fetch(…, { keepalive: true })` (when the body fits the
   * browsers' 64 KiB keepalive quota), so a batch flushed as the page is
   * hidden or closed still arrives. Default `false`.
   */
  signalsKeepalive?: boolean
  /** The `fetch` of every request. Default: the global one. */
  fetch?: typeof fetch
  /** The `fetch` of the stream (Node uses one whose socket does not keep the process alive). Default: `fetch`. */
  streamFetch?: typeof fetch
  /** Where failures are logged (once per distinct failure in a row). Default: `console`. */
  logger?: Logger
}

/** How the connection gets its configuration now. */
export type ConnectionMode = 'streaming' | 'polling' | 'closed'

/**
 * Keeps a `FlagClient` in step with the server and delivers its signals.
 * Runs in browsers, Node and edge runtimes.
 *
 * - Streaming (default): `GET /v1/sdk/stream`; the `put` replaces the
 *   snapshot, `patch`es apply through `applyPatch`, a version gap refetches
 *   the snapshot, a reconnection resumes with `Last-Event-ID` after a
 *   backoff with full jitter (or the server's `retry:` hint). After
 *   `streamFailuresBeforePolling` failures in a row it polls, and tries
 *   streaming again every `streamRetryMs`.
 * - Polling: `GET /v1/sdk/snapshot` with `If-None-Match` every `pollIntervalMs`.
 * - Signals: a `SignalsSender` posts the client's batches.
 *
 * Failures never throw: they reach the client through `reportError` (its
 * `error` event and a `stale` or `error` status), and the client keeps
 * serving the last good snapshot.
 *
 * @example
 * const client = new FlagClient()
 * const connection = new Connection(client, { url, token }).start()
 * await connection.firstSync
 * // …
 * await connection.close()
 */
export class Connection {
  /** Resolves once the first sync succeeded or failed (never rejects). */
  readonly firstSync: Promise<void>
  private resolveFirstSync: () => void = () => {}
  private readonly fetcher: SnapshotFetcher
  private readonly stream: StreamSource
  private readonly http: KyInstance
  private readonly streamFetch: typeof fetch | undefined
  private readonly sender: SignalsSender
  private readonly backoff: Backoff
  private readonly logger: Logger
  private readonly streaming: boolean
  private readonly pollIntervalMs: number
  private readonly streamRetryMs: number
  private readonly failuresBeforePolling: number
  private readonly random: () => number
  private readonly lifetime = new AbortController()
  private currentMode: ConnectionMode
  private streamRunning = false
  /** A stream is open and has delivered: fetched snapshots must not replace what it applied. */
  private streamLive = false
  /** Valid deliveries of the stream so far. */
  private syncs = 0
  /** The snapshot held came from this server, so its version can resume a stream. */
  private fromServer = false
  private polling = false
  /** Polls wait (a hidden page): no timer runs until `resumePolling`. */
  private pollPaused = false
  private pollTimer: ReturnType<typeof setTimeout> | undefined
  private streamRetryTimer: ReturnType<typeof setTimeout> | undefined
  private wake: (() => void) | undefined
  private fetching: Promise<void> | undefined
  private fetchAgain = false
  private lastLogged: string | undefined
  private closing: Promise<void> | undefined

  constructor(
    readonly client: FlagClient,
    options: ConnectionOptions,
  ) {
    const timeoutMs = options.timeoutMs ?? 10_000
    this.streaming = options.streaming ?? true
    this.pollIntervalMs = options.pollIntervalMs ?? 15_000
    this.streamRetryMs = options.streamRetryMs ?? 60_000
    this.failuresBeforePolling = options.streamFailuresBeforePolling ?? 3
    this.logger = options.logger ?? defaultLogger
    this.random = options.reconnect?.random ?? Math.random
    this.backoff = new Backoff(options.reconnect)
    this.currentMode = this.streaming ? 'streaming' : 'polling'
    const http = createHttpClient({
      url: options.url,
      token: options.token,
      timeoutMs,
      retryLimit: options.fetchRetries ?? 2,
      retryInitialMs: options.reconnect?.initialMs ?? 1000,
      retryMaxMs: options.reconnect?.maxMs ?? 30_000,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    })
    this.fetcher = new SnapshotFetcher(http)
    this.http = http
    this.streamFetch = options.streamFetch ?? options.fetch
    this.stream = new StreamSource(options.heartbeatTimeoutMs ?? 45_000, toTransportError)
    const keepalive = options.signalsKeepalive ?? false
    this.sender = new SignalsSender(
      client.signals,
      async (batch): Promise<SendOutcome> => {
        const body = JSON.stringify(batch)
        try {
          await http.post('v1/sdk/signals', {
            body,
            headers: { 'content-type': 'application/json' },
            retry: 0,
            // A larger keepalive body would be refused outright; it goes as a plain request.
            keepalive: keepalive && body.length < KEEPALIVE_BODY_LIMIT,
          })
          return 'sent'
        } catch (error) {
          const status = error instanceof HTTPError ? error.response.status : undefined
          this.logOnce(toTransportError(error, 'sending signals'))
          return status === 400 || status === 413 ? 'rejected' : 'retry'
        }
      },
      {
        intervalMs: options.signalsIntervalMs ?? 10_000,
        maxBacklog: options.maxSignalsBacklog ?? 60,
        urgentGapMs: 1000,
        now: Date.now,
      },
    )
    this.firstSync = new Promise((resolve) => {
      this.resolveFirstSync = resolve
    })
  }

  /** How the configuration arrives now. */
  get mode(): ConnectionMode {
    return this.currentMode
  }

  /** The signals sender: its backlog and what it had to drop. */
  get signals(): SignalsSender {
    return this.sender
  }

  /** Starts streaming (or polling) and the signals interval. Returns the connection. */
  start(): this {
    if (this.lifetime.signal.aborted || this.streamRunning || this.polling) return this
    this.sender.start()
    if (this.streaming) void this.streamLoop()
    else this.startPolling()
    return this
  }

  /**
   * Fetches the snapshot now (coalesced: one request at a time, and one more
   * if asked during it). Never rejects; a failure is reported to the client.
   */
  refresh(): Promise<void> {
    if (this.fetching !== undefined) {
      this.fetchAgain = true
      return this.fetching
    }
    this.fetching = (async () => {
      do {
        this.fetchAgain = false
        await this.fetchOnce()
      } while (this.fetchAgain && !this.lifetime.signal.aborted)
    })().finally(() => {
      this.fetching = undefined
    })
    return this.fetching
  }

  /** Sends the signals counted so far now. Never rejects. */
  flushSignals(): Promise<void> {
    return this.sender.flush()
  }

  /**
   * Stops polling until `resumePolling` (a hidden browser tab has no use for
   * fresh flags; the stream, if open, stays open). Idempotent.
   */
  pausePolling(): void {
    this.pollPaused = true
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer)
    this.pollTimer = undefined
  }

  /** Polls again after `pausePolling`: at once when polling, since the snapshot may be out of date. */
  resumePolling(): void {
    if (!this.pollPaused) return
    this.pollPaused = false
    if (this.polling && this.pollTimer === undefined && !this.lifetime.signal.aborted) {
      void this.poll()
    }
  }

  /** Closes the stream, stops polling, flushes the signals one last time. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.currentMode = 'closed'
      this.lifetime.abort()
      this.wake?.()
      if (this.pollTimer !== undefined) clearTimeout(this.pollTimer)
      if (this.streamRetryTimer !== undefined) clearTimeout(this.streamRetryTimer)
      this.resolveFirstSync()
      this.closing = this.sender.stop()
    }
    return this.closing
  }

  private async streamLoop(): Promise<void> {
    this.streamRunning = true
    try {
      while (!this.lifetime.signal.aborted) {
        const held = this.client.getSnapshot()
        const syncsBefore = this.syncs
        const lastEventId = this.fromServer && held !== undefined ? String(held.version) : undefined
        const end = await this.stream.run(
          (signal) =>
            this.http.get('v1/sdk/stream', {
              headers: {
                accept: 'text/event-stream',
                ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
              },
              retry: 0,
              signal,
              ...(this.streamFetch === undefined ? {} : { fetch: this.streamFetch }),
            }),
          this.lifetime.signal,
          {
            onEvent: (event) => this.onStreamEvent(event),
            onComment: (comment) => {
              if (comment.trim() === 'connected') this.onStreamResumed()
            },
          },
        )
        this.streamLive = false
        if (this.lifetime.signal.aborted) return
        // Only a connection that delivered something valid ends a run of failures.
        if (this.syncs > syncsBefore) this.backoff.reset()
        let delay: number
        if (end.error !== undefined) {
          this.fail(end.error)
          delay = end.error.code === 'unauthorized' ? this.backoff.max() : this.backoff.next()
        } else if (end.retryMs !== undefined) {
          // A server going down asks to wait; jitter spreads the fleet's return.
          this.backoff.next()
          delay = end.retryMs + Math.floor(this.random() * Math.min(end.retryMs, 1000))
        } else {
          delay = this.backoff.next()
        }
        if (this.backoff.failures >= this.failuresBeforePolling && end.error !== undefined) {
          this.startPolling()
          this.streamRetryTimer = backgroundTimeout(() => {
            this.streamRetryTimer = undefined
            this.backoff.reset()
            if (!this.lifetime.signal.aborted) void this.streamLoop()
          }, this.streamRetryMs)
          return
        }
        await this.sleep(delay)
      }
    } finally {
      this.streamRunning = false
    }
  }

  private onStreamEvent(event: SseMessage): void {
    if (event.event === 'put') {
      const parsed = validateSnapshot(decode(event.data, 'put'))
      if (!parsed.success) throw invalid('put', parsed.issues[0])
      this.client.setSnapshot(parsed.data, { replace: true })
      this.fromServer = true
      this.onStreamSynced()
    } else if (event.event === 'patch') {
      const parsed = validateStreamPatch(decode(event.data, 'patch'))
      if (!parsed.success) throw invalid('patch', parsed.issues[0])
      const result = this.client.applyPatch(parsed.data)
      if (result.status === 'gap') void this.refresh()
      else this.onStreamSynced()
    }
  }

  /**
   * A resume with nothing missed: the snapshot held is current, as a 304
   * says, so a client made stale by the outage is ready again.
   */
  private onStreamResumed(): void {
    const held = this.client.getSnapshot()
    if (held !== undefined) this.client.setSnapshot(held)
    this.onStreamSynced()
  }

  /** The stream delivers: polling stops, failures in a row are over. */
  private onStreamSynced(): void {
    this.syncs++
    this.streamLive = true
    this.currentMode = 'streaming'
    this.stopPolling()
    this.synced()
  }

  private startPolling(): void {
    this.currentMode = 'polling'
    if (this.polling) return
    this.polling = true
    if (!this.pollPaused) void this.poll()
  }

  private async poll(): Promise<void> {
    this.pollTimer = undefined
    await this.refresh()
    if (
      this.polling &&
      !this.pollPaused &&
      this.pollTimer === undefined &&
      !this.lifetime.signal.aborted
    ) {
      this.pollTimer = backgroundTimeout(() => void this.poll(), this.pollIntervalMs)
    }
  }

  private stopPolling(): void {
    this.polling = false
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer)
    this.pollTimer = undefined
    if (this.streamRetryTimer !== undefined) clearTimeout(this.streamRetryTimer)
    this.streamRetryTimer = undefined
  }

  private async fetchOnce(): Promise<void> {
    try {
      const result = await this.fetcher.fetch(this.lifetime.signal)
      if (this.lifetime.signal.aborted) return
      const held = this.client.getSnapshot()
      if (result.status === 'modified') {
        // Only the server's latest word may go back in version (a reset store);
        // a poll racing a live stream must not undo the patches it applied.
        this.client.setSnapshot(result.snapshot, { replace: !this.streamLive })
        this.fromServer = true
      } else if (held !== undefined) {
        this.client.setSnapshot(held)
      }
      this.synced()
    } catch (error) {
      if (!this.lifetime.signal.aborted) this.fail(toTransportError(error, 'fetching the snapshot'))
    }
  }

  private synced(): void {
    this.lastLogged = undefined
    this.resolveFirstSync()
  }

  private fail(error: TransportError): void {
    this.client.reportError(error)
    this.logOnce(error)
    this.resolveFirstSync()
  }

  /** Logs a failure once while it repeats, not once per retry. */
  private logOnce(error: TransportError): void {
    const key = `${error.code}:${error.message}`
    if (key === this.lastLogged) return
    this.lastLogged = key
    this.logger.warn(`[floodgate] ${error.message}`)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = backgroundTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
    })
  }
}

function decode(data: string, what: string): unknown {
  try {
    return JSON.parse(data)
  } catch (error) {
    throw new TransportError(
      'invalid_response',
      `the stream sent a ${what} that is not JSON (${messageOf(error)})`,
      { cause: error },
    )
  }
}

function invalid(
  what: string,
  issue: { path: string; message: string } | undefined,
): TransportError {
  return new TransportError(
    'invalid_response',
    `the stream sent an invalid ${what}${issue ? ` (${issue.path} ${issue.message})` : ''}`,
  )
}
