import { randomBytes } from 'node:crypto'

/** A webhook signing secret: `whsec_` and 43 base64url characters (256 bits). */
export const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9_-]{43}$/

/** A new random signing secret. */
export function createWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`
}

/** The prefix and first four random characters, to tell secrets apart in lists. */
export function webhookSecretHint(secret: string): string {
  return `${secret.slice(0, 'whsec_'.length + 4)}…`
}
