import { TransportError } from '../errors'
import { createSseParser, type SseMessage } from './sseParser'
import { backgroundTimeout } from './timers'

/** What a `StreamSource` hands over while a stream is open. */
export interface StreamHandlers {
  /** One event. Throwing a `TransportError` (a malformed payload) ends the connection with it. */
  onEvent(event: SseMessage): void
  /** One comment (`: heartbeat`, `: connected`). */
  onComment?(comment: string): void
}

/** How one stream connection ended. */
export interface StreamEnd {
  /** Why it failed; absent when the server ended it cleanly. */
  error?: TransportError
  /** The `retry:` hint the server sent (on shutdown), in ms. */
  retryMs?: number
}

/** Sends the request that opens a stream; it throws what `toError` understands. */
export type StreamOpener = (signal: AbortSignal) => Promise<Response>

/**
 * A Server-Sent Events stream over `fetch` (EventSource can neither send an
 * `Authorization` header nor `POST` a context), parsed with
 * `createSseParser`: `GET /v1/sdk/stream` and `POST /v1/sdk/evaluate/stream`
 * alike, each opened by its own `StreamOpener`. One `run` is one connection:
 * it resolves when the stream ends, never rejects. A stream silent for longer
 * than `heartbeatTimeoutMs` (the server comments every 15 s) is taken for
 * dead and aborted: a half-open TCP connection would otherwise look alive
 * forever.
 */
export class StreamSource {
  readonly #heartbeatTimeoutMs: number
  readonly #toError: (error: unknown, what: string) => TransportError

  /** `toError` turns what the opener or the body threw into a `TransportError`. */
  constructor(
    heartbeatTimeoutMs: number,
    toError: (error: unknown, what: string) => TransportError,
  ) {
    this.#heartbeatTimeoutMs = heartbeatTimeoutMs
    this.#toError = toError
  }

  async run(open: StreamOpener, signal: AbortSignal, handlers: StreamHandlers): Promise<StreamEnd> {
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
        response = await open(controller.signal)
      } catch (error) {
        if (!signal.aborted) failure = this.#toError(error, 'opening the stream')
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
      const parser = createSseParser({
        onEvent: (event) => {
          if (failure !== undefined) return
          try {
            handlers.onEvent(event)
          } catch (error) {
            failure = this.#toError(error, 'reading the stream')
          }
        },
        onComment: handlers.onComment,
        onRetry: (ms) => {
          retryMs = ms
        },
      })
      const arm = () => {
        if (silence !== undefined) clearTimeout(silence)
        silence = backgroundTimeout(() => {
          failure = new TransportError(
            'timeout',
            `the stream was silent for ${this.#heartbeatTimeoutMs} ms (no heartbeat): reconnecting`,
          )
          controller.abort()
        }, this.#heartbeatTimeoutMs)
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
          failure = this.#toError(error, 'reading the stream')
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
