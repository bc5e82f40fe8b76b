import { type IncomingMessage, request } from 'node:http'
import { createParser, type EventSourceMessage } from 'eventsource-parser'

/** A test SSE client over node:http: collects events and waits for the ones a test expects. */
export interface SseClient {
  status: number
  headers: IncomingMessage['headers']
  events: EventSourceMessage[]
  comments: string[]
  /** A `retry:` hint the server sent. */
  retry: number | undefined
  /** Resolves when the server ended the stream. */
  ended: Promise<void>
  /** Resolves with the first event (from index `from`) matching `match`. */
  waitFor(
    match: (event: EventSourceMessage) => boolean,
    timeoutMs?: number,
  ): Promise<EventSourceMessage>
  close(): void
}

/**
 * Opens an SSE stream (with `GET`, or `POST`ing a JSON `body`); resolves once
 * the response headers arrived.
 */
export function openSse(
  url: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<SseClient> {
  const json = body === undefined ? undefined : JSON.stringify(body)
  const method = json === undefined ? 'GET' : 'POST'
  const head = {
    accept: 'text/event-stream',
    ...(json === undefined ? {} : { 'content-type': 'application/json' }),
    ...headers,
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: head }, (res) => {
      res.setEncoding('utf8')
      const waiters = new Set<() => void>()
      let endResolve: () => void = () => {}
      const client: SseClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: [],
        retry: undefined,
        ended: new Promise<void>((r) => {
          endResolve = r
        }),
        waitFor(match, timeoutMs = 5000) {
          return new Promise((resolveWait, rejectWait) => {
            const check = () => {
              const found = client.events.find(match)
              if (found) {
                waiters.delete(check)
                clearTimeout(timer)
                resolveWait(found)
              }
            }
            const timer = setTimeout(() => {
              waiters.delete(check)
              rejectWait(new Error(`no matching SSE event within ${timeoutMs} ms`))
            }, timeoutMs)
            waiters.add(check)
            check()
          })
        },
        close: () => req.destroy(),
      }
      const parser = createParser({
        onEvent: (event) => {
          client.events.push(event)
          for (const waiter of [...waiters]) waiter()
        },
        onComment: (comment) => client.comments.push(comment),
        onRetry: (retry) => {
          client.retry = retry
        },
      })
      res.on('data', (chunk: string) => parser.feed(chunk))
      res.on('end', () => endResolve())
      res.on('close', () => endResolve())
      res.on('error', () => endResolve())
      resolve(client)
    })
    req.on('error', reject)
    req.end(json)
  })
}
