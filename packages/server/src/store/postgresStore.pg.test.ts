import { FlagDefinitionSchema } from '@floodgate/core'
import pg from 'pg'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testUtils/postgres'
import type { CommitEvent } from '../types'
import { LISTENER_APPLICATION_NAME } from './commitFeed'
import { createPostgresStore } from './postgresStore'
import { describeStoreConformance } from './storeConformance'

const databases: TestDatabase[] = []
async function freshDatabase(): Promise<string> {
  const database = await createTestDatabase()
  databases.push(database)
  return database.url
}
afterAll(async () => {
  for (const database of databases.splice(0)) await database.drop()
})

describeStoreConformance('createPostgresStore', async () =>
  createPostgresStore({ url: await freshDatabase(), poolSize: 3 }),
)

const alice = { name: 'alice', tokenId: null }
const flag = (key: string) => FlagDefinitionSchema.parse({ key, kind: 'boolean' })

describe('createPostgresStore', () => {
  it('should migrate once when several replicas start together', async () => {
    const url = await freshDatabase()
    const stores = await Promise.all([1, 2, 3].map(() => createPostgresStore({ url, poolSize: 2 })))
    expect((await stores[0]?.listEnvironments())?.map((e) => e.name)).toEqual([
      'development',
      'production',
      'staging',
    ])
    for (const store of stores) await store.close()
  })

  it("should tell each replica's listeners every replica's commits, in one order", async () => {
    const url = await freshDatabase()
    const a = await createPostgresStore({ url, poolSize: 2 })
    const b = await createPostgresStore({ url, poolSize: 2 })
    const heardA: CommitEvent[] = []
    const heardB: CommitEvent[] = []
    a.subscribe((event) => heardA.push(event))
    b.subscribe((event) => heardB.push(event))

    await Promise.all([
      a.createFlag(flag('from-a'), alice),
      b.createFlag(flag('from-b'), alice),
      a.createFlag(flag('from-a2'), alice),
    ])
    // Each replica hears its own commits at once and the other's through the log.
    await b.createFlag(flag('last'), alice)
    await a.createFlag(flag('last-a'), alice)
    await b.createFlag(flag('last-b'), alice)
    const keys = (events: CommitEvent[]) => events.map((e) => e.audit[0]?.resourceKey)
    expect(keys(heardA).slice(0, 5)).toEqual(keys(heardB).slice(0, 5))
    expect(new Set(keys(heardB))).toEqual(
      new Set(['from-a', 'from-b', 'from-a2', 'last', 'last-a', 'last-b']),
    )
    const versions = heardB.map(
      (e) => e.changes.find((c) => c.environment === 'production')?.version,
    )
    expect(versions).toEqual([1, 2, 3, 4, 5, 6])
    await a.close()
    await b.close()
  })

  it('should catch up by sequence on commits made while its listener was disconnected', async () => {
    const url = await freshDatabase()
    // No periodic read: only the reconnect can bring the missed commits.
    const a = await createPostgresStore({ url, poolSize: 2, pollMs: 3_600_000 })
    const b = await createPostgresStore({ url, poolSize: 2, pollMs: 3_600_000 })
    const heard: string[] = []
    b.subscribe((event) => heard.push(String(event.audit[0]?.resourceKey)))
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and application_name = $1`,
      [LISTENER_APPLICATION_NAME],
    )
    await admin.end()
    await a.createFlag(flag('while-away-1'), alice)
    await a.createFlag(flag('while-away-2'), alice)
    await vi.waitFor(() => expect(heard).toEqual(['while-away-1', 'while-away-2']), {
      timeout: 20_000,
    })
    await vi.waitFor(() => expect(b.ping()).resolves.toBeUndefined(), { timeout: 20_000 })
    await a.close()
    await b.close()
  })

  it('should refuse a stale configuration write from another replica', async () => {
    const url = await freshDatabase()
    const a = await createPostgresStore({ url, poolSize: 2 })
    const b = await createPostgresStore({ url, poolSize: 2 })
    await a.createFlag(flag('x'), alice)
    const change = (on: boolean) => ({
      action: 'config.update' as const,
      actor: alice,
      expectedVersion: 1,
      apply: () => ({
        enabled: on,
        killed: false,
        rules: [],
        fallthrough: { variant: 'on' },
      }),
    })
    const results = await Promise.allSettled([
      a.updateFlagConfig('production', 'x', change(true)),
      b.updateFlagConfig('production', 'x', change(false)),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = results.find((r) => r.status === 'rejected')
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'stale_version' })
    expect((await b.getFlagConfig('production', 'x'))?.version).toBe(2)
    await a.close()
    await b.close()
  })
})
