import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTokenSecret,
  type RunningServer,
  type ServerOptions,
  startServer,
} from '@floodgate/server'

/**
 * A real Floodgate server on a free port and a temporary SQLite file, that
 * can be stopped and started again on the same port with the same data;
 * with admin helpers over HTTP.
 */
export class LiveServer {
  server: RunningServer | undefined
  port = 0
  readonly admin = createTokenSecret('admin')

  private constructor(
    readonly dir: string,
    private readonly options: ServerOptions,
  ) {}

  static async start(options: ServerOptions = {}): Promise<LiveServer> {
    const live = new LiveServer(await mkdtemp(join(tmpdir(), 'floodgate-openfeature-')), options)
    return live.start()
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<this> {
    this.server = await startServer({
      port: this.port,
      db: join(this.dir, 'floodgate.db'),
      logger: false,
      adminToken: this.admin,
      retryMs: 20,
      rateLimit: false,
      ...this.options,
    })
    this.port = this.server.port
    return this
  }

  async stop(): Promise<void> {
    await this.server?.close()
    this.server = undefined
  }

  async dispose(): Promise<void> {
    await this.stop()
    await rm(this.dir, { recursive: true, force: true })
  }

  /** Calls the admin API; throws with the problem on a status other than 2xx. */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.admin}`,
        // No pooled socket may outlive a restart of the server.
        connection: 'close',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return (text === '' ? undefined : JSON.parse(text)) as T
  }

  /** An SDK token of `scope` for production. */
  async token(scope: 'server' | 'client'): Promise<string> {
    const { secret } = await this.call<{ secret: string }>('POST', '/v1/admin/tokens', {
      name: `${scope}-${Math.random()}`,
      scope,
      environment: 'production',
    })
    return secret
  }

  /** Creates a flag and sets its production configuration. */
  async flag(definition: Record<string, unknown>, config: Record<string, unknown>): Promise<void> {
    await this.call('POST', '/v1/admin/flags', definition)
    await this.configure(String(definition.key), config)
  }

  /** Replaces `key`'s production configuration; returns the new environment version. */
  async configure(key: string, config: Record<string, unknown>): Promise<number> {
    const result = await this.call<{ environmentVersion: number }>(
      'PUT',
      `/v1/admin/environments/production/flags/${key}`,
      config,
      { 'if-match': '*' },
    )
    return result.environmentVersion
  }

  /** A flag action in production (`kill`, `unkill`, `rollouts` to start one); returns the answer. */
  action<T = Record<string, unknown>>(key: string, action: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', `/v1/admin/environments/production/flags/${key}/${action}`, body)
  }

  /** `GET …/flags/:key/health` in production. */
  health(key: string): Promise<FlagHealth> {
    return this.call<FlagHealth>('GET', `/v1/admin/environments/production/flags/${key}/health`)
  }
}

/** The part of the health answer the tests read. */
export interface FlagHealth {
  rollout: { id: string; status: string } | null
  stages: {
    stageIndex: number
    variants: Record<
      string,
      {
        exposures: number
        successes: number
        errors: number
        latencyCount: number
        latencySumMs: number
      }
    >
  }[]
}
