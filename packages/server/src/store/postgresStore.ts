import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import pg from 'pg'
import type { CommitEvent } from '../types'
import { CommitFeed, notifyCommit, type StoreLogger } from './commitFeed'
import type { Database } from './database'
import { KyselyStore } from './kyselyStore'
import { migrateToLatest } from './migrations'
import { SUMMED_COLUMNS, signalRows } from './signalRows'
import type { SignalsInput, Store } from './store'

/** Options of `createPostgresStore`. */
export interface PostgresStoreOptions {
  /** The database, as `postgres://user:password@host:port/database` (libpq parameters such as `sslmode` included). */
  url: string
  /** Connections in the pool, besides the dedicated `LISTEN` connection. Default 10. */
  poolSize?: number
  /** How often the commit log is read even without a notification, in ms. Default 5000. */
  pollMs?: number
  /** How long the commit log keeps a commit, in ms: a replica away for longer reloads everything. Default 24 h. */
  commitLogRetentionMs?: number
  /** Where the store reports trouble it recovers from (a lost `LISTEN` connection). Default: nowhere. */
  logger?: StoreLogger
}

/**
 * Keys of the advisory locks Floodgate takes, as `(FLOODGATE, key)` pairs so
 * they cannot collide with an application's single-key locks.
 */
export const ADVISORY_LOCK = {
  namespace: 0x466c6f64,
  migrations: 1,
  writes: 2,
  controller: 3,
} as const

/** Whether a `--db` value names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value)
}

/**
 * The store on PostgreSQL, for several replicas on one database: the shared
 * queries, writers serialized across replicas by a transaction-scoped
 * advisory lock (so every check-then-write sees the latest commit, as on
 * SQLite), and each commit appended to `commit_log` and announced with
 * `NOTIFY`, so that every replica's listeners hear every commit in one order.
 */
class PostgresStore extends KyselyStore {
  private readonly feed: CommitFeed
  private readonly prune: NodeJS.Timeout

  constructor(db: Kysely<Database>, options: PostgresStoreOptions) {
    super(db)
    const logger = options.logger
    const retentionMs = options.commitLogRetentionMs ?? 24 * 3600 * 1000
    this.feed = new CommitFeed(db, {
      url: options.url,
      emit: (event) => this.emit(event),
      pollMs: options.pollMs ?? 5000,
      logger,
    })
    this.prune = setInterval(
      () => {
        this.pruneCommitLog(new Date(Date.now() - retentionMs).toISOString()).catch(
          (error: unknown) => logger?.error({ err: error }, 'pruning the commit log failed'),
        )
      },
      Math.min(retentionMs, 10 * 60 * 1000),
    )
    this.prune.unref()
  }

  /** Starts following the commits of every replica. */
  start(): Promise<void> {
    return this.feed.start()
  }

  override async ping(): Promise<void> {
    await super.ping()
    if (!this.feed.connected) throw new Error('the commit listener is not connected')
  }

  override async close(): Promise<void> {
    clearInterval(this.prune)
    await this.feed.close()
    await super.close()
  }

  protected override async lockWrites(trx: Transaction<Database>): Promise<void> {
    await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK.namespace}, ${ADVISORY_LOCK.writes})`.execute(
      trx,
    )
  }

  protected override async recordCommit(
    trx: Transaction<Database>,
    event: CommitEvent,
  ): Promise<number> {
    // Writers hold the write lock, so max + 1 is taken by one of them at a time
    // and sequences follow commit order without gaps.
    const { rows } = await sql<{ sequence: string }>`
      insert into commit_log (sequence, committed_at, event)
      select coalesce(max(sequence), 0) + 1, ${new Date().toISOString()}, ${JSON.stringify(event)}
      from commit_log
      returning sequence`.execute(trx)
    const sequence = Number(rows[0]?.sequence)
    await notifyCommit(trx, sequence, event)
    return sequence
  }

  protected override async publish(
    event: CommitEvent,
    sequence: number | undefined,
  ): Promise<void> {
    if (sequence === undefined) this.emit(event)
    else await this.feed.deliver(sequence, event)
  }

  /**
   * One statement per flush: the batch ids go into `signal_batches`, and only
   * the rows of batches that were new there (not recorded before by any
   * replica) are summed into their buckets.
   */
  override async recordSignalBatches(
    inputs: readonly SignalsInput[],
  ): Promise<{ recorded: number; duplicates: number }> {
    const { rows } = signalRows(inputs)
    // PostgreSQL takes at most 65535 parameters in a statement.
    if (rows.length === 0 || rows.length > 2000) return super.recordSignalBatches(inputs)
    const columns = [
      'environment',
      'batch_id',
      'received_at',
      'flag_key',
      'variant',
      'bucket_start',
    ]
    const values = sql.join(
      rows.map(
        (r) =>
          sql`(${sql.join([
            sql`${r.environment}::text`,
            sql`${r.batch_id}::text`,
            sql`${r.received_at}::text`,
            sql`${r.flag_key}::text`,
            sql`${r.variant}::text`,
            sql`${r.bucket_start}::text`,
            ...SUMMED_COLUMNS.map((c) =>
              c === 'latency_sum_ms' ? sql`${r[c]}::double precision` : sql`${r[c]}::bigint`,
            ),
            sql`${r.latency_max_ms}::double precision`,
          ])})`,
      ),
    )
    const summed = SUMMED_COLUMNS.map((c) => sql`sum(${sql.ref(c)})`)
    const bucketColumns = [
      'environment',
      'flag_key',
      'variant',
      'bucket_start',
      ...SUMMED_COLUMNS,
      'latency_max_ms',
    ].map((c) => sql.ref(c))
    const { rows: result } = await sql<{ recorded: string }>`
      with input (${sql.join([...columns, ...SUMMED_COLUMNS, 'latency_max_ms'].map((c) => sql.ref(c)))}) as (
        values ${values}
      ),
      new_batches as (
        insert into signal_batches (environment, id, received_at)
        select distinct on (environment, batch_id) environment, batch_id, received_at
        from input where batch_id is not null
        on conflict (environment, id) do nothing
        returning environment, id
      ),
      summed as (
        select environment, flag_key, variant, bucket_start, ${sql.join(summed)}, max(latency_max_ms)
        from input i
        where i.batch_id is null
          or exists (select 1 from new_batches n where n.environment = i.environment and n.id = i.batch_id)
        group by environment, flag_key, variant, bucket_start
      ),
      upserted as (
        insert into signal_buckets (${sql.join(bucketColumns)})
        select * from summed
        on conflict (environment, flag_key, variant, bucket_start) do update set
          ${sql.join(
            SUMMED_COLUMNS.map(
              (c) => sql`${sql.ref(c)} = ${sql.raw(`signal_buckets.${c} + excluded.${c}`)}`,
            ),
          )},
          latency_max_ms = greatest(signal_buckets.latency_max_ms, excluded.latency_max_ms)
        returning 1
      )
      select (select count(*) from new_batches) as recorded`.execute(this.db)
    const withId = inputs.filter((i) => i.batch.id !== undefined).length
    const recorded = Number(result[0]?.recorded ?? 0)
    return { recorded: recorded + inputs.length - withId, duplicates: withId - recorded }
  }

  /** Forgets commits older than `before` (ISO), always keeping the newest (the next sequence follows it). */
  private async pruneCommitLog(before: string): Promise<void> {
    await this.db
      .deleteFrom('commit_log')
      .where('committed_at', '<', before)
      .where('sequence', '<', (eb) =>
        eb.selectFrom('commit_log').select(eb.fn.max('sequence').as('m')),
      )
      .execute()
  }
}

/**
 * Connects to a PostgreSQL database, brings its schema to the latest
 * migration under a session advisory lock (replicas starting together take
 * turns), and starts following the other replicas' commits.
 *
 * @example
 * const store = await createPostgresStore({ url: process.env.DATABASE_URL })
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: Math.max(2, options.poolSize ?? 10),
    keepAlive: true,
    application_name: 'floodgate',
  })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  try {
    await migrateUnderLock(pool, db)
  } catch (error) {
    await db.destroy()
    throw error
  }
  const store = new PostgresStore(db, options)
  try {
    await store.start()
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}

async function migrateUnderLock(pool: pg.Pool, db: Kysely<Database>): Promise<void> {
  const lock = await pool.connect()
  try {
    await lock.query('select pg_advisory_lock($1, $2)', [
      ADVISORY_LOCK.namespace,
      ADVISORY_LOCK.migrations,
    ])
    try {
      await migrateToLatest(db as Kysely<unknown>, 'postgres')
    } finally {
      await lock.query('select pg_advisory_unlock($1, $2)', [
        ADVISORY_LOCK.namespace,
        ADVISORY_LOCK.migrations,
      ])
    }
  } finally {
    lock.release()
  }
}
