import pg from 'pg'
import type { StoreLogger } from './store/commitFeed'
import { ADVISORY_LOCK } from './store/postgresStore'

/**
 * Whether this replica runs the work only one replica may do at a time (the
 * rollout controller's decisions).
 */
export interface Leadership {
  /** This replica leads now. */
  readonly isLeader: boolean
  /** Hears every change of `isLeader`; returns the unsubscribe function. */
  subscribe(listener: (isLeader: boolean) => void): () => void
  /** Resolves once the first attempt to lead is done (a server starts after it, so a lone replica leads at once). */
  settled(): Promise<void>
  /** Steps down (releasing the lock) and stops trying. */
  close(): Promise<void>
}

/** One process on its own database (SQLite): always the leader. */
export class SoleLeadership implements Leadership {
  readonly isLeader = true

  subscribe(): () => void {
    return () => {}
  }

  async settled(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Options of `PostgresLeadership`. */
export interface PostgresLeadershipOptions {
  /** The database every replica shares. */
  url: string
  /** Time between two attempts to take the lock (and two checks of its connection while leading), in ms. Default 1000. */
  retryMs?: number
  logger?: StoreLogger
}

/**
 * Leadership among replicas on one PostgreSQL database: the replica that
 * holds a session advisory lock (`pg_try_advisory_lock`) on a dedicated
 * connection leads. The others try again every `retryMs`. PostgreSQL
 * releases the lock when the leader's connection ends, so when a leader
 * dies (even by SIGKILL) another replica leads within about `retryMs`.
 */
export class PostgresLeadership implements Leadership {
  private leader = false
  private client: pg.Client | undefined
  private readonly listeners = new Set<(isLeader: boolean) => void>()
  private readonly timer: NodeJS.Timeout
  private attempt: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly options: PostgresLeadershipOptions) {
    this.timer = setInterval(() => this.enqueue(), options.retryMs ?? 1000)
    this.timer.unref()
    this.enqueue()
  }

  get isLeader(): boolean {
    return this.leader
  }

  subscribe(listener: (isLeader: boolean) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  settled(): Promise<void> {
    return this.attempt
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.timer)
    await this.attempt
    const client = this.client
    this.client = undefined
    this.set(false)
    // Ending the session releases the lock at once, so the next leader need not wait.
    await client?.end().catch(() => undefined)
  }

  private enqueue(): void {
    this.attempt = this.attempt.then(() => this.step())
  }

  private async step(): Promise<void> {
    if (this.closed) return
    try {
      const client = this.client ?? (await this.connect())
      if (this.leader) {
        await client.query('select 1')
        return
      }
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1, $2) as locked',
        [ADVISORY_LOCK.namespace, ADVISORY_LOCK.controller],
      )
      if (rows[0]?.locked && !this.closed) this.set(true)
    } catch (error) {
      this.lost(error)
    }
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url,
      keepAlive: true,
      application_name: 'floodgate-leadership',
      // A check that hangs (a half-open connection) counts as a lost connection.
      query_timeout: 3 * (this.options.retryMs ?? 1000),
    })
    client.on('error', (error) => this.lost(error))
    client.on('end', () => {
      if (this.client === client) this.lost(new Error('the leadership connection ended'))
    })
    this.client = client
    await client.connect()
    return client
  }

  /** The connection is gone, and with it the lock: step down until a new connection takes it again. */
  private lost(error: unknown): void {
    const client = this.client
    this.client = undefined
    client?.end().catch(() => undefined)
    if (this.leader) {
      this.options.logger?.warn({ err: error }, 'lost the leadership connection; stepping down')
    }
    this.set(false)
  }

  private set(leader: boolean): void {
    if (this.leader === leader) return
    this.leader = leader
    for (const listener of this.listeners) listener(leader)
  }
}
