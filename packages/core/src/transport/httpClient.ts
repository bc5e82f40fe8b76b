import ky, { HTTPError, type KyInstance, TimeoutError } from 'ky'
import { TransportError } from '../errors'
import { messageOf } from '../evaluate'

/** Options of `createHttpClient`. */
export interface HttpClientOptions {
  /** The server's base URL, e.g. `https://flags.example.com`. */
  url: string
  /** An SDK token (`fg_server_…` or `fg_client_…`). */
  token: string
  /** Time allowed for one attempt until the response headers arrive, in ms. */
  timeoutMs: number
  /** Retries of a GET after a 5xx, 408, 429, timeout or network error. */
  retryLimit: number
  /** The ceiling of the first retry delay, in ms (doubled per retry, full jitter). */
  retryInitialMs: number
  /** The largest retry delay, in ms. */
  retryMaxMs: number
  /** The `fetch` to use. Default: the global one. */
  fetch?: typeof fetch
}

/**
 * The ky instance every request of the transport goes through: bearer
 * token, per-attempt timeout, and retries of GETs with exponential backoff
 * and full jitter, capped. 401 and 403 are never retried (no retry storm
 * with a revoked token); a 304 is an answer, not an error.
 */
export function createHttpClient(options: HttpClientOptions): KyInstance {
  return ky.create({
    prefixUrl: options.url,
    headers: { authorization: `Bearer ${options.token}` },
    timeout: options.timeoutMs,
    throwHttpErrors: (status) => status !== 304,
    retry: {
      limit: options.retryLimit,
      methods: ['get'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      afterStatusCodes: [429, 503],
      maxRetryAfter: options.retryMaxMs,
      retryOnTimeout: true,
      delay: (attempt) => options.retryInitialMs * 2 ** (attempt - 1),
      backoffLimit: options.retryMaxMs,
      jitter: true,
    },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  })
}

/** A failed request as a `TransportError` naming what was asked (`what`) and why it failed. */
export function toTransportError(error: unknown, what: string): TransportError {
  if (error instanceof TransportError) return error
  if (error instanceof HTTPError) {
    const status = error.response.status
    if (status === 401 || status === 403) {
      return new TransportError(
        'unauthorized',
        `${what}: the server rejected the token (${status}); check that it is a valid, unrevoked server or client token`,
        { cause: error, status },
      )
    }
    return new TransportError('http', `${what}: the server answered ${status}`, {
      cause: error,
      status,
    })
  }
  if (error instanceof TimeoutError) {
    return new TransportError('timeout', `${what}: no answer within the timeout`, { cause: error })
  }
  const code = causeCode(error)
  return new TransportError(
    'network',
    `${what}: ${messageOf(error)}${code === undefined ? '' : ` (${code})`}`,
    { cause: error },
  )
}

/** The system error code under a fetch failure (`ECONNREFUSED`…), which says more than "fetch failed". */
function causeCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined
  if (typeof cause !== 'object' || cause === null) return undefined
  const code = (cause as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}
