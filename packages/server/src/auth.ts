import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { HttpError } from './httpError'
import type { Store, StoredToken } from './store/store'
import { hashTokenSecret, scopeOfSecret } from './tokenSecret'
import type { Actor, TokenRecord, TokenScope } from './types'

const BEARER = /^Bearer\s+(\S+)\s*$/i
const challenge = { 'WWW-Authenticate': 'Bearer realm="floodgate"' }

/**
 * Resolves `Authorization: Bearer <secret>` to a token. Active tokens are
 * cached by hash; a revocation committed to the store evicts its token at
 * once, so it stops working for the next request.
 */
export class Authenticator {
  private readonly cache = new Map<string, StoredToken>()
  private readonly unsubscribe: () => void

  constructor(private readonly store: Store) {
    this.unsubscribe = store.subscribe((event) => {
      for (const entry of event.audit) {
        if (entry.action !== 'token.revoke') continue
        for (const [hash, token] of this.cache) {
          if (token.id === entry.resourceKey) this.cache.delete(hash)
        }
      }
    })
  }

  /** The token named by an `Authorization` header; throws a 401 `HttpError` when there is none or it is not valid. */
  async authenticate(header: string | undefined): Promise<TokenRecord> {
    if (header === undefined || header === '') {
      throw new HttpError(401, 'missing_token', 'send a token as "Authorization: Bearer <token>"', {
        headers: challenge,
      })
    }
    const secret = BEARER.exec(header)?.[1]
    if (secret === undefined || scopeOfSecret(secret) === undefined) {
      throw new HttpError(401, 'invalid_token', 'the token is malformed', { headers: challenge })
    }
    const hash = hashTokenSecret(secret)
    const token = this.cache.get(hash) ?? (await this.store.findTokenByHash(hash))
    if (!token || !timingSafeEqual(Buffer.from(token.hash, 'hex'), Buffer.from(hash, 'hex'))) {
      throw new HttpError(401, 'invalid_token', 'the token is not known', { headers: challenge })
    }
    if (token.revokedAt !== null) {
      this.cache.delete(hash)
      throw new HttpError(401, 'invalid_token', 'the token was revoked', { headers: challenge })
    }
    this.cache.set(hash, token)
    const { hash: _hash, ...record } = token
    return record
  }

  close(): void {
    this.unsubscribe()
    this.cache.clear()
  }
}

const principals = new WeakMap<FastifyRequest, TokenRecord>()

/** An `onRequest` hook that admits only tokens of the given scopes (401 without a valid token, 403 for another scope). */
export function requireScope(auth: Authenticator, scopes: readonly TokenScope[]) {
  return async function requireScopeHook(request: FastifyRequest): Promise<void> {
    const token = await auth.authenticate(request.headers.authorization)
    if (!scopes.includes(token.scope)) {
      throw new HttpError(
        403,
        'forbidden',
        `this endpoint needs a token of scope ${scopes.join(' or ')}, not ${token.scope}`,
      )
    }
    principals.set(request, token)
  }
}

/** The token `requireScope` admitted for this request, if any. */
export function findPrincipal(request: FastifyRequest): TokenRecord | undefined {
  return principals.get(request)
}

/** The token `requireScope` admitted for this request. */
export function principalOf(request: FastifyRequest): TokenRecord {
  const token = principals.get(request)
  if (!token) throw new Error('principalOf() needs the requireScope hook on this route')
  return token
}

/** The audit actor of a request: its token's name and id. */
export function actorOf(request: FastifyRequest): Actor {
  const token = principalOf(request)
  return { name: token.name, tokenId: token.id }
}
