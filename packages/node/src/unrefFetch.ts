import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'

/**
 * A `fetch` for GET requests over `node:http(s)` whose socket does not keep
 * the process alive. The SDK's stream stays open for as long as the client
 * lives, and Node's own `fetch` would keep a process that is otherwise done
 * running forever: a script that evaluates a flag and returns must exit.
 */
export const unrefFetch: typeof fetch = (input, init) =>
  new Promise((resolve, reject) => {
    const request = new Request(input, init)
    const signal = request.signal
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const url = new URL(request.url)
    // Looked up per call, not bound at import, so interceptors (msw in tests, APMs) see it.
    const send = url.protocol === 'https:' ? https.request : http.request
    const req = send(
      url,
      { method: request.method, headers: Object.fromEntries(request.headers), agent: false },
      (res) => {
        const status = res.statusCode ?? 502
        const empty = status === 204 || status === 304 || request.method === 'HEAD'
        resolve(
          new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage ?? '',
            headers: toHeaders(res.headers),
          }),
        )
      },
    )
    const abort = () => req.destroy(signal.reason instanceof Error ? signal.reason : undefined)
    signal.addEventListener('abort', abort, { once: true })
    req.on('close', () => signal.removeEventListener('abort', abort))
    req.on('socket', (socket) => socket.unref())
    req.on('error', reject)
    req.end()
  })

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  return headers
}
