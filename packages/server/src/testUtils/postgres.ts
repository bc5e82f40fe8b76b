import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * The server the PostgreSQL tests create their databases on
 * (`FLOODGATE_TEST_POSTGRES_URL`, default the local server as `postgres`).
 */
export const TEST_POSTGRES_URL =
  process.env.FLOODGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A database of its own for one test run, and how to drop it. */
export interface TestDatabase {
  url: string
  drop(): Promise<void>
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Creates an empty database with a random name. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `floodgate_test_${randomBytes(6).toString('hex')}`
  await admin((client) => client.query(`create database ${name}`))
  const url = new URL(TEST_POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin((client) => client.query(`drop database if exists ${name} with (force)`))
    },
  }
}
