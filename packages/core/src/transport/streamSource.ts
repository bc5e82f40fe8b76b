import { createParser, type EventSourceMessage } from 'eventsource-parser'
import type { KyInstance } from 'ky'
import { TransportError } from '../errors'
import { toTransportError } from './httpClient'
import { backgroundTimeout } from './timers'

/** What a `StreamSource` hands over while a stream is open. */
export interface StreamHandlers {
  /** One event. Throwing a `TransportError` (a malformed payload) ends the connection with it. */
  onEvent(event: EventSourceMessage): void
  /** One comment (`: heartbeat`, `: connected`). */
  onComment(comment: string): void
}

/** How one stream connection ended. */
export interface StreamEnd {
  /** Why it failed; absent when the server ended it cleanly. */
  error?: TransportError
  /** The `retry:` hint the server sent (on shutdown), in ms. */
  retryMs?: number
}

/**
 * `GET /v1/sdk/stream` over `fetch` (EventSource cannot send an
 * `Authorization` header), parsed with eventsource-parser. One `run` is one
 * connection: it resolves when the stream ends, never rejects. A stream
 * silent for longer than `heartbeatTimeoutMs` (the server comments every
 * 15 s) is taken for dead and aborted: a half-open TCP connection would
 * otherwise look alive forever.
 */
export class StreamSource {
  constructor(
    private readonly http: KyInstance,
    private readonly heartbeatTimeoutMs: number,
    private readonly fetchImpl: typeof fetch | undefined,
  ) {}

  async run(
    lastEventId: string | undefined,
    signal: AbortSignal,
    handlers: StreamHandlers,
  ): Promise<StreamEnd> {
    const controller = new AbortController()
    const abort = () => controller.abort()
    signal.addEventListener('abort', abort)
    let retryMs: number | undefined
    let failure: TransportError | undefined
    let silence: ReturnType<typeof setTimeout> | undefined
    const end = (): StreamEnd => ({
      ...(failure === undefined ? {} : { error: failure }),
      ...(retryMs === undefined ? {} : { retryMs }),
    })
    try {
      let response: Response
      try {
        response = await this.http.get('v1/sdk/stream', {
          headers: {
            accept: 'text/event-stream',
            ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
          },
          retry: 0,
          signal: controller.signal,
          ...(this.fetchImpl === undefined ? {} : { fetch: this.fetchImpl }),
        })
      } catch (error) {
        if (!signal.aborted) failure = toTransportError(error, 'opening the stream')
        return end()
      }
      const type = response.headers.get('content-type') ?? ''
      if (!type.startsWith('text/event-stream') || response.body === null) {
        failure = new TransportError(
          'invalid_response',
          `opening the stream: expected text/event-stream, got "${type || 'no body'}"`,
          { status: response.status },
        )
        return end()
      }
      const parser = createParser({
        onEvent: (event) => {
          if (failure !== undefined) return
          try {
            handlers.onEvent(event)
          } catch (error) {
            failure = toTransportError(error, 'reading the stream')
          }
        },
        onComment: (comment) => {
          handlers.onComment(comment)
        },
        onRetry: (ms) => {
          retryMs = ms
        },
      })
      const arm = () => {
        if (silence !== undefined) clearTimeout(silence)
        silence = backgroundTimeout(() => {
          failure = new TransportError(
            'timeout',
            `the stream was silent for ${this.heartbeatTimeoutMs} ms (no heartbeat): reconnecting`,
          )
          controller.abort()
        }, this.heartbeatTimeoutMs)
      }
      arm()
      const reader = response.body.getReader()
      const decoder = new TextDecoder()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          arm()
          parser.feed(decoder.decode(value, { stream: true }))
          if (failure !== undefined) break
        }
      } catch (error) {
        if (failure === undefined && !signal.aborted) {
          failure = toTransportError(error, 'reading the stream')
        }
      }
      return end()
    } finally {
      if (silence !== undefined) clearTimeout(silence)
      signal.removeEventListener('abort', abort)
      controller.abort()
    }
  }
}
