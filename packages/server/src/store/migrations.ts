import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import { LATENCY_COLUMNS } from './database'

/** The SQL dialects the shared queries and migrations support. */
export type SqlDialect = 'sqlite' | 'postgres'

/** The environments every store starts with. */
export const DEFAULT_ENVIRONMENTS = ['development', 'staging', 'production'] as const

function migrations(dialect: SqlDialect): Record<string, Migration> {
  // PostgreSQL would compare text by the database's locale; "C" orders it
  // byte-wise as SQLite does, so every `orderBy` gives the same order on both.
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text'
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('environments')
          .addColumn('name', text, (c) => c.primaryKey())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('flags')
          .addColumn('key', text, (c) => c.primaryKey())
          .addColumn('definition', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .addColumn('created_by', text, (c) => c.notNull())
          .addColumn('updated_by', text, (c) => c.notNull())
          .execute()
        for (const table of ['flag_configs', 'flag_config_versions'] as const) {
          const current = table === 'flag_configs'
          await db.schema
            .createTable(table)
            .addColumn('environment', text, (c) =>
              c.notNull().references('environments.name').onDelete('cascade'),
            )
            .addColumn('flag_key', text, (c) =>
              c.notNull().references('flags.key').onDelete('cascade'),
            )
            .addColumn('version', 'integer', (c) => c.notNull())
            .addColumn('config', text, (c) => c.notNull())
            .addColumn(current ? 'updated_at' : 'created_at', text, (c) => c.notNull())
            .addColumn(current ? 'updated_by' : 'created_by', text, (c) => c.notNull())
            .addPrimaryKeyConstraint(
              `${table}_pk`,
              current ? ['environment', 'flag_key'] : ['environment', 'flag_key', 'version'],
            )
            .execute()
        }
        await db.schema
          .createTable('segments')
          .addColumn('environment', text, (c) =>
            c.notNull().references('environments.name').onDelete('cascade'),
          )
          .addColumn('key', text, (c) => c.notNull())
          .addColumn('segment', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .addColumn('updated_by', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('segments_pk', ['environment', 'key'])
          .execute()
        await db.schema
          .createTable('audit_log')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', text, (c) => c.notNull())
          .addColumn('actor', text, (c) => c.notNull())
          .addColumn('actor_token_id', text)
          .addColumn('action', text, (c) => c.notNull())
          .addColumn('environment', text)
          .addColumn('resource_type', text, (c) => c.notNull())
          .addColumn('resource_key', text, (c) => c.notNull())
          .addColumn('environment_version', 'integer')
          .addColumn('before', text)
          .addColumn('after', text)
          .addColumn('reason', text)
          .execute()
        await db.schema
          .createIndex('audit_log_resource')
          .on('audit_log')
          .columns(['resource_type', 'resource_key'])
          .execute()
        await db.schema
          .createIndex('audit_log_environment')
          .on('audit_log')
          .column('environment')
          .execute()
        await db.schema
          .createTable('tokens')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('scope', text, (c) => c.notNull())
          .addColumn('environment', text, (c) => c.references('environments.name'))
          .addColumn('hash', text, (c) => c.notNull().unique())
          .addColumn('hint', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('created_by', text, (c) => c.notNull())
          .addColumn('revoked_at', text)
          .addColumn('revoked_by', text)
          .execute()
        await db.schema
          .createTable('signal_batches')
          .addColumn('environment', text, (c) => c.notNull())
          .addColumn('id', text, (c) => c.notNull())
          .addColumn('received_at', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('signal_batches_pk', ['environment', 'id'])
          .execute()
        await db.schema
          .createIndex('signal_batches_received_at')
          .on('signal_batches')
          .column('received_at')
          .execute()
        let buckets = db.schema
          .createTable('signal_buckets')
          .addColumn('environment', text, (c) => c.notNull())
          .addColumn('flag_key', text, (c) => c.notNull())
          .addColumn('variant', text, (c) => c.notNull())
          .addColumn('bucket_start', text, (c) => c.notNull())
        for (const column of [
          'exposures',
          'successes',
          'errors',
          'error_units',
          'latency_count',
          ...LATENCY_COLUMNS,
        ]) {
          buckets = buckets.addColumn(column, 'bigint', (c) => c.notNull())
        }
        await buckets
          .addColumn('latency_sum_ms', 'double precision', (c) => c.notNull())
          .addColumn('latency_max_ms', 'double precision', (c) => c.notNull())
          .addPrimaryKeyConstraint('signal_buckets_pk', [
            'environment',
            'flag_key',
            'variant',
            'bucket_start',
          ])
          .execute()

        const now = new Date().toISOString()
        await sql`insert into environments (name, version, created_at) values ${sql.join(
          DEFAULT_ENVIRONMENTS.map((name) => sql`(${name}, ${0}, ${now})`),
        )}`.execute(db)
      },
    },
    '0002_rollouts': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('rollouts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('environment', 'text', (c) =>
            c.notNull().references('environments.name').onDelete('cascade'),
          )
          .addColumn('flag_key', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('stage_index', 'integer', (c) => c.notNull())
          .addColumn('percent', 'double precision', (c) => c.notNull())
          .addColumn('plan', 'text', (c) => c.notNull())
          .addColumn('monitor', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('stage_started_at', 'text', (c) => c.notNull())
          .addColumn('ended_at', 'text')
          .addColumn('state_version', 'integer', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('rollouts_flag')
          .on('rollouts')
          .columns(['environment', 'flag_key', 'started_at'])
          .execute()
        await db.schema.createIndex('rollouts_status').on('rollouts').column('status').execute()
        await db.schema
          .createTable('rollout_decisions')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('rollout_id', 'text', (c) =>
            c.notNull().references('rollouts.id').onDelete('cascade'),
          )
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('by', 'text', (c) => c.notNull())
          .addColumn('stage_index', 'integer', (c) => c.notNull())
          .addColumn('evidence', 'text')
          .execute()
        await db.schema
          .createIndex('rollout_decisions_rollout')
          .on('rollout_decisions')
          .column('rollout_id')
          .execute()
        let signals = db.schema
          .createTable('rollout_signals')
          .addColumn('rollout_id', 'text', (c) =>
            c.notNull().references('rollouts.id').onDelete('cascade'),
          )
          .addColumn('stage_index', 'integer', (c) => c.notNull())
          .addColumn('variant', 'text', (c) => c.notNull())
        for (const column of [
          'batches',
          'exposures',
          'successes',
          'errors',
          'error_units',
          'latency_count',
        ]) {
          signals = signals.addColumn(column, 'bigint', (c) => c.notNull())
        }
        await signals
          .addColumn('latency_sum_ms', 'double precision', (c) => c.notNull())
          .addColumn('latency_max_ms', 'double precision', (c) => c.notNull())
          .addColumn('latency_buckets', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('rollout_signals_pk', ['rollout_id', 'stage_index', 'variant'])
          .execute()
        await db.schema
          .createTable('rollout_batches')
          .addColumn('rollout_id', 'text', (c) =>
            c.notNull().references('rollouts.id').onDelete('cascade'),
          )
          .addColumn('batch_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('rollout_batches_pk', ['rollout_id', 'batch_id'])
          .execute()
        await db.schema
          .createTable('rollout_error_units')
          .addColumn('rollout_id', 'text', (c) =>
            c.notNull().references('rollouts.id').onDelete('cascade'),
          )
          .addColumn('stage_index', 'integer', (c) => c.notNull())
          .addColumn('variant', 'text', (c) => c.notNull())
          .addColumn('unit_hash', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('rollout_error_units_pk', [
            'rollout_id',
            'stage_index',
            'variant',
            'unit_hash',
          ])
          .execute()
      },
    },
    '0004_commit_log': {
      // Replicas on PostgreSQL read each other's commits from this log; one
      // SQLite process hears its own commits directly and has no such table.
      async up(db: Kysely<unknown>) {
        if (dialect !== 'postgres') return
        await db.schema
          .createTable('commit_log')
          .addColumn('sequence', 'bigint', (c) => c.primaryKey())
          .addColumn('committed_at', text, (c) => c.notNull())
          .addColumn('event', text, (c) => c.notNull())
          .execute()
      },
    },
  }
}

/** Brings a database's schema to the latest migration (idempotent; Kysely's migrator keeps the log). */
export async function migrateToLatest(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) }
  // Other branches' migrations (0002, 0003) may land after 0004 ran on a database.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')
    throw new Error(
      `database migration${failed ? ` ${failed.migrationName}` : ''} failed: ${String(error)}`,
      { cause: error },
    )
  }
}
