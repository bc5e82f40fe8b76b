import { createHmac, timingSafeEqual } from 'node:crypto'

/** The header carrying a delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Floodgate-Signature'

/**
 * Signs a webhook body as Floodgate sends it: HMAC-SHA256 with the endpoint's
 * secret over `<timestamp>.<body>`, hex-encoded, in the form
 * `t=<timestamp>,v1=<signature>`. Signing the timestamp lets a receiver
 * refuse replayed deliveries.
 */
export function signWebhookPayload(secret: string, payload: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${hmac(secret, timestampSec, payload)}`
}

/** Options of `verifyWebhookSignature`. */
export interface VerifyWebhookOptions {
  /** The endpoint's signing secret (`whsec_…`). */
  secret: string
  /** The raw request body, exactly as received (not re-serialized JSON). */
  payload: string
  /** The `Floodgate-Signature` header. */
  header: string | null | undefined
  /** Largest accepted age of the signature's timestamp, in seconds. Default 300. */
  toleranceSec?: number
  /** The current time in ms since the epoch. Default `Date.now()`. */
  now?: number
}

/** The outcome of a verification: success, or why it failed. */
export type WebhookVerification =
  | { success: true; timestamp: number }
  | { success: false; error: string }

/**
 * Checks a delivery's signature in constant time, accepting any of several
 * `v1` values (there may be more than one while a secret is rotated).
 *
 * @example
 * const check = verifyWebhookSignature({ secret, payload: rawBody, header: req.headers['floodgate-signature'] })
 * if (!check.success) return res.status(400).send(check.error)
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): WebhookVerification {
  const parts = (options.header ?? '').split(',').map((part) => part.trim().split('='))
  const timestamps = parts.filter(([k]) => k === 't').map(([, v]) => Number(v))
  const signatures = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v as string)
  const timestamp = timestamps[0]
  if (timestamps.length !== 1 || timestamp === undefined || !Number.isInteger(timestamp)) {
    return { success: false, error: 'the signature header has no valid t= timestamp' }
  }
  if (signatures.length === 0) {
    return { success: false, error: 'the signature header has no v1= signature' }
  }
  const age = Math.abs((options.now ?? Date.now()) / 1000 - timestamp)
  if (age > (options.toleranceSec ?? 300)) {
    return { success: false, error: `the signature timestamp is ${Math.round(age)} s off` }
  }
  const expected = Buffer.from(hmac(options.secret, timestamp, options.payload), 'hex')
  const matches = signatures.some((signature) => {
    const given = Buffer.from(signature, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
  return matches
    ? { success: true, timestamp }
    : { success: false, error: 'no v1 signature matches the payload' }
}

function hmac(secret: string, timestampSec: number, payload: string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${payload}`).digest('hex')
}
