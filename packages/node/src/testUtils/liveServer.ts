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
 * A real Floodgate server on a temporary SQLite file that can be stopped and
 * started again on the same port with the same data, and admin helpers.
 */
export class LiveServer {
  server: RunningServer | undefined
  port = 0
  readonly admin = createTokenSecret('admin')

  private constructor(
    readonly dir: string,
    private readonly options: ServerOptions,
  ) {}

  /** `options` are added to every start (for instance the rollout controller's timer). */
  static async create(options: ServerOptions = {}): Promise<LiveServer> {
    return new LiveServer(await mkdtemp(join(tmpdir(), 'floodgate-node-')), options)
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

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.admin}`,
        // No pooled socket may outlive a restart of the server.
        connection: 'close',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const json = (await res.json()) as T
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }

  /** A `server` SDK token for production. */
  async sdkToken(): Promise<string> {
    const { secret } = await this.call<{ secret: string }>('POST', '/v1/admin/tokens', {
      name: `sdk-${Math.random()}`,
      scope: 'server',
      environment: 'production',
    })
    return secret
  }

  /** Changes `flag`'s configuration in production; returns the new environment version. */
  async change(
    flag: string,
    action: 'kill' | 'unkill' | 'rollout',
    body: unknown = {},
  ): Promise<number> {
    const result = await this.call<{ environmentVersion: number }>(
      'POST',
      `/v1/admin/environments/production/flags/${flag}/${action}`,
      body,
    )
    return result.environmentVersion
  }
}
