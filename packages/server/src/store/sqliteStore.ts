import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteAdapter, SqliteDialect } from 'kysely'
import type { Database } from './database'
import { KyselyStore } from './kyselyStore'
import { migrateToLatest } from './migrations'
import type { Store } from './store'

/** Options of `createSqliteStore`. */
export interface SqliteStoreOptions {
  /** The database file, created with its directory when missing; `':memory:'` for a throwaway store. */
  path: string
  /** How long a statement waits for a lock held by another process, in ms. Default 5000. */
  busyTimeoutMs?: number
}

/** SQLite runs DDL inside transactions, so a migration interrupted by a crash leaves nothing behind. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}

class FloodgateSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}

/**
 * Opens (or creates) the embedded SQLite store: one file, no setup. WAL
 * journal with `synchronous=FULL`, so a write is durable once it resolves.
 *
 * @example
 * const store = await createSqliteStore({ path: './floodgate.db' })
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true })
  const sqlite = new BetterSqlite3(options.path)
  try {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = FULL')
    sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`)
    sqlite.pragma('foreign_keys = ON')
    const db = new Kysely<Database>({ dialect: new FloodgateSqliteDialect({ database: sqlite }) })
    await migrateToLatest(db as Kysely<unknown>, 'sqlite')
    return new KyselyStore(db)
  } catch (error) {
    sqlite.close()
    throw error
  }
}
