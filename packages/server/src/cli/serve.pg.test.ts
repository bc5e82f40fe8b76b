import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../testUtils/postgres'
import { startReplica } from '../testUtils/replica'

const ADMIN = `fg_admin_${'p'.repeat(43)}`

describe('floodgate serve on PostgreSQL', () => {
  let database: TestDatabase
  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await database.drop()
  })

  it('should take DATABASE_URL when neither --db nor FLOODGATE_DB is given, and lead alone', async () => {
    const url = new URL(database.url)
    url.password = 'not-shown'
    const replica = await startReplica(undefined, {
      DATABASE_URL: url.toString(),
      FLOODGATE_ADMIN_TOKEN: ADMIN,
    })
    try {
      expect(replica.output()).toMatch(/\(database postgres:\/\/postgres:\*\*\*@/)
      expect(replica.output()).not.toContain('not-shown')
      const ready = await fetch(`${replica.url}/readyz`)
      expect(await ready.json()).toMatchObject({ status: 'ready', leader: true })
      const flags = await fetch(`${replica.url}/v1/admin/flags`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      })
      expect(flags.status).toBe(200)
    } finally {
      await replica.stop()
    }
    expect((await replica.exited).code).toBe(0)
  })
})
