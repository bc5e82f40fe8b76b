import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { PostgresLeadership, SoleLeadership } from './leadership'
import { createTestDatabase, type TestDatabase } from './testUtils/postgres'

describe('PostgresLeadership', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.drop()
  })

  it('should let one replica lead, and another take over when it steps down', async () => {
    const replicas = [0, 1, 2].map(
      () => new PostgresLeadership({ url: database.url, retryMs: 100 }),
    )
    await Promise.all(replicas.map((r) => r.settled()))
    const leaders = replicas.filter((r) => r.isLeader)
    expect(leaders).toHaveLength(1)
    const [first] = leaders as [PostgresLeadership]
    const heard: boolean[] = []
    const others = replicas.filter((r) => r !== first)
    for (const other of others) other.subscribe((leader) => heard.push(leader))

    await first.close()
    expect(first.isLeader).toBe(false)
    await vi.waitFor(() => expect(others.filter((r) => r.isLeader)).toHaveLength(1), {
      timeout: 10_000,
    })
    expect(heard).toEqual([true])
    for (const other of others) await other.close()
  })

  it('should step down when its connection is terminated, and lead again once it has the lock', async () => {
    const leadership = new PostgresLeadership({ url: database.url, retryMs: 100 })
    await leadership.settled()
    expect(leadership.isLeader).toBe(true)
    const changes: boolean[] = []
    leadership.subscribe((leader) => changes.push(leader))
    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and application_name = 'floodgate-leadership'`,
    )
    await admin.end()
    await vi.waitFor(() => expect(changes).toEqual([false, true]), { timeout: 10_000 })
    await leadership.close()
  })
})

describe('SoleLeadership', () => {
  it('should always lead', async () => {
    const sole = new SoleLeadership()
    expect(sole.isLeader).toBe(true)
    await sole.close()
    expect(sole.isLeader).toBe(true)
  })
})
