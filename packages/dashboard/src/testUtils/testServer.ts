import {
  createTokenSecret,
  type RunningServer,
  type ServerOptions,
  startServer,
} from '@floodgate/server'

/** A real server on an in-memory database and a free port, with an admin helper. */
export interface TestServer {
  server: RunningServer
  url: string
  admin: string
  /** Calls the admin API; throws with the problem on a status other than 2xx. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>
  close(): Promise<void>
}

export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const admin = createTokenSecret('admin')
  const server = await startServer({
    port: 0,
    db: ':memory:',
    logger: false,
    adminToken: admin,
    rateLimit: false,
    dashboard: false,
    retryMs: 20,
    ...options,
  })
  return {
    server,
    url: server.url,
    admin,
    async call(method, path, body) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${admin}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return (text === '' ? undefined : JSON.parse(text)) as never
    },
    close: () => server.close(),
  }
}
