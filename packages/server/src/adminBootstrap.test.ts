import { describe, expect, it } from 'vitest'
import { bootstrapAdminToken } from './adminBootstrap'
import { createSqliteStore } from './store/sqliteStore'

describe('bootstrapAdminToken', () => {
  it('should let replicas that start together with one admin secret all start, creating it once', async () => {
    const store = await createSqliteStore({ path: ':memory:' })
    const secret = `fg_admin_${'b'.repeat(43)}`
    const results = await Promise.all([1, 2, 3].map(() => bootstrapAdminToken(store, secret)))
    expect(results).toEqual([undefined, undefined, undefined])
    expect((await store.listTokens()).map((t) => [t.name, t.scope])).toEqual([['admin', 'admin']])
    await store.close()
  })
})
