import { createHash, randomBytes } from 'node:crypto'
import type { TokenScope } from './types'

/** A token secret: the scope prefix, then at least 32 random base64url characters. */
export const TOKEN_SECRET_PATTERN = /^fg_(admin|server|client)_[A-Za-z0-9_-]{32,256}$/

/** A new random secret for a scope: `fg_<scope>_` and 43 base64url characters (256 bits). */
export function createTokenSecret(scope: TokenScope): string {
  return `fg_${scope}_${randomBytes(32).toString('base64url')}`
}

/** The scope a well-formed secret claims, or `undefined` for anything else. */
export function scopeOfSecret(secret: string): TokenScope | undefined {
  return TOKEN_SECRET_PATTERN.exec(secret)?.[1] as TokenScope | undefined
}

/** SHA-256 hex of a secret: the only form a secret is stored in. */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** The prefix and first four random characters, to tell tokens apart in lists. */
export function tokenHint(secret: string): string {
  const scope = scopeOfSecret(secret) ?? ''
  const prefix = `fg_${scope}_`
  return `${prefix}${secret.slice(prefix.length, prefix.length + 4)}…`
}
