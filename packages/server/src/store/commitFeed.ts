import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import type { CommitEvent } from '../types'
import type { Database } from './database'

/** Where a PostgreSQL store reports trouble it recovers from by itself (pino's signature; Fastify's logger fits). */
export interface StoreLogger {
  warn(object: object, message: string): void
  error(object: object, message: string): void
}

/** The channel every commit is announced on, with `{ sequence, environments: { [name]: version } }`. */
export const COMMIT_CHANNEL = 'floodgate_commits'

/** Options of the `CommitFeed`. */
export interface CommitFeedOptions {
  /** Connection string of the dedicated `LISTEN` connection. */
  url: string
  /** Hears every commit of every replica, in commit order, once. */
  emit: (event: CommitEvent) => void
  /** How often the log is read even when no notification came, in ms (a notification lost with its connection). */
  pollMs: number
  logger: StoreLogger | undefined
}

/** The `application_name` of the `LISTEN` connection, to find it in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'floodgate-listener'

const PAGE = 500
const MAX_RECONNECT_MS = 5000

/**
 * Follows the commit log of one PostgreSQL database: a dedicated connection
 * `LISTEN`s for commit notifications, and the commits themselves are read
 * from `commit_log` by sequence. Because the reader only ever asks for what
 * comes after the last sequence it delivered, a notification missed while
 * the connection was down costs nothing: the reconnect (or the periodic
 * poll) reads what was missed. Commits older than the log keeps make every
 * environment reload instead.
 */
export class CommitFeed {
  private last = 0
  private queue: Promise<void> = Promise.resolve()
  private client: pg.Client | undefined
  private reconnectMs = 100
  private reconnectTimer: NodeJS.Timeout | undefined
  private poll: NodeJS.Timeout | undefined
  private closed = false
  private listening = false

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: CommitFeedOptions,
  ) {}

  /** Whether the `LISTEN` connection is up. */
  get connected(): boolean {
    return this.listening
  }

  /** Starts after the newest commit (what came before is in the database already) and listens. */
  async start(): Promise<void> {
    const row = await this.db
      .selectFrom('commit_log')
      .select((eb) => eb.fn.max('sequence').as('sequence'))
      .executeTakeFirst()
    this.last = Number(row?.sequence ?? 0)
    await this.listen()
    this.poll = setInterval(() => this.catchUp(), this.options.pollMs)
    this.poll.unref()
  }

  /**
   * Delivers this process's own commit: at once when it is the next one, else
   * after reading the commits of other replicas that came before it.
   */
  deliver(sequence: number, event: CommitEvent): Promise<void> {
    return this.enqueue(async () => {
      if (sequence <= this.last) return
      if (sequence > this.last + 1) await this.read()
      if (sequence === this.last + 1) {
        this.last = sequence
        this.options.emit(event)
      }
    })
  }

  /** Reads and delivers every commit after the last one delivered. */
  catchUp(): Promise<void> {
    return this.enqueue(() => this.read())
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.poll)
    clearTimeout(this.reconnectTimer)
    const client = this.client
    this.client = undefined
    this.listening = false
    await client?.end().catch(() => undefined)
    await this.queue
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task)
    this.queue = next.catch((error: unknown) => {
      this.options.logger?.error({ err: error }, 'reading the commit log failed')
    })
    return next
  }

  private async read(): Promise<void> {
    if (this.closed) return
    for (;;) {
      const rows = await this.db
        .selectFrom('commit_log')
        .select(['sequence', 'event'])
        .where('sequence', '>', this.last)
        .orderBy('sequence')
        .limit(PAGE)
        .execute()
      const first = rows[0]
      if (first && Number(first.sequence) !== this.last + 1) await this.reloadEverything()
      for (const row of rows) {
        this.last = Number(row.sequence)
        this.options.emit(JSON.parse(row.event) as CommitEvent)
      }
      if (rows.length < PAGE) return
    }
  }

  /** The commits this replica missed are no longer in the log: every environment reloads from the database. */
  private async reloadEverything(): Promise<void> {
    this.options.logger?.warn(
      { after: this.last },
      'commits were pruned before this replica read them; reloading every environment',
    )
    const environments = await this.db.selectFrom('environments').selectAll().execute()
    this.options.emit({
      changes: environments.map((e) => ({
        type: 'environment',
        environment: e.name,
        version: e.version,
      })),
      audit: [],
    })
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      keepAlive: true,
      application_name: LISTENER_APPLICATION_NAME,
    })
    client.on('notification', (message) => {
      const sequence = parseSequence(message.payload)
      if (sequence === undefined || sequence > this.last) void this.catchUp()
    })
    const lost = (error?: Error) => {
      // Before it listens, a failure is the caller's to handle.
      if (this.client !== client || !this.listening) return
      this.client = undefined
      this.listening = false
      client.end().catch(() => undefined)
      if (this.closed) return
      this.options.logger?.warn(
        { err: error, retryInMs: this.reconnectMs },
        'the commit listener lost its connection; reconnecting',
      )
      this.scheduleReconnect()
    }
    client.on('error', lost)
    client.on('end', () => lost())
    this.client = client
    await client.connect()
    await client.query(`LISTEN ${COMMIT_CHANNEL}`)
    this.listening = true
    this.reconnectMs = 100
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.listen().then(
        // What was committed while nobody listened is in the log.
        () => this.catchUp(),
        (error: unknown) => {
          this.client?.end().catch(() => undefined)
          this.client = undefined
          if (this.closed) return
          this.options.logger?.warn(
            { err: error, retryInMs: this.reconnectMs },
            'the commit listener could not reconnect',
          )
          this.scheduleReconnect()
        },
      )
    }, this.reconnectMs)
    this.reconnectTimer.unref()
    this.reconnectMs = Math.min(this.reconnectMs * 2, MAX_RECONNECT_MS)
  }
}

function parseSequence(payload: string | undefined): number | undefined {
  if (payload === undefined) return undefined
  try {
    const value = (JSON.parse(payload) as { sequence?: unknown }).sequence
    return typeof value === 'number' ? value : undefined
  } catch {
    return undefined
  }
}

/** The notification payload of a commit: its sequence and the environments it moved to which version. */
export function commitNotification(sequence: number, event: CommitEvent): string {
  const environments: Record<string, number> = {}
  for (const change of event.changes) environments[change.environment] = change.version
  return JSON.stringify({ sequence, environments })
}

/** `pg_notify` inside the write transaction: PostgreSQL sends it when, and only if, the transaction commits. */
export function notifyCommit(db: Kysely<Database>, sequence: number, event: CommitEvent) {
  return sql`select pg_notify(${COMMIT_CHANNEL}, ${commitNotification(sequence, event)})`.execute(
    db,
  )
}
