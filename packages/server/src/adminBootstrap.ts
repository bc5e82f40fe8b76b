import type { Store } from './store/store'
import { createTokenSecret, hashTokenSecret, scopeOfSecret, tokenHint } from './tokenSecret'

const SYSTEM = { name: 'system', tokenId: null }

/**
 * Makes sure an admin can get in. With `secret` (`FLOODGATE_ADMIN_TOKEN`),
 * that secret is an admin token (created, as `admin`, when unknown).
 * Without it, when no active admin token exists, one is generated and
 * returned: the only time its secret is ever seen.
 */
export async function bootstrapAdminToken(
  store: Store,
  secret?: string,
): Promise<string | undefined> {
  if (secret !== undefined) {
    if (scopeOfSecret(secret) !== 'admin') {
      throw new Error(
        'the admin token must be "fg_admin_" followed by at least 32 characters of A-Z, a-z, 0-9, "_" or "-"',
      )
    }
    const hash = hashTokenSecret(secret)
    if (!(await store.findTokenByHash(hash))) {
      await store
        .createToken(
          { name: 'admin', scope: 'admin', environment: null, hash, hint: tokenHint(secret) },
          SYSTEM,
        )
        .catch(async (error: unknown) => {
          // Replicas starting together race to create it: one wins, the others find it.
          if (!(await store.findTokenByHash(hash))) throw error
        })
    }
    return undefined
  }
  const tokens = await store.listTokens()
  if (tokens.some((t) => t.scope === 'admin' && t.revokedAt === null)) return undefined
  const generated = createTokenSecret('admin')
  await store.createToken(
    {
      name: 'admin',
      scope: 'admin',
      environment: null,
      hash: hashTokenSecret(generated),
      hint: tokenHint(generated),
    },
    SYSTEM,
  )
  return generated
}
