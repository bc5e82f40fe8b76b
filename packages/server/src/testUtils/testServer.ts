import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { createServer, type FloodgateServer, type ServerOptions } from '../app'

/** A server on a throwaway in-memory database, with helpers to call it as a given token. */
export interface TestServer extends FloodgateServer {
  admin: string
  /** Creates a token and returns its secret. */
  token(scope: 'admin' | 'server' | 'client', environment?: string, name?: string): Promise<string>
  /** `inject` with `Authorization: Bearer <secret>` (JSON body when `body` is given). */
  call(
    secret: string | undefined,
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>
}

export async function createTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const server = await createServer({ db: ':memory:', logger: false, ...options })
  const admin = server.adminToken ?? options.adminToken
  if (!admin) throw new Error('the test server needs an admin token')
  const call: TestServer['call'] = (secret, method, url, body, headers = {}) =>
    server.app.inject({
      method,
      url,
      headers: {
        ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  return {
    ...server,
    admin,
    call,
    async token(scope, environment, name = `${scope}-token`) {
      const res = await call(admin, 'POST', '/v1/admin/tokens', {
        name,
        scope,
        ...(environment === undefined ? {} : { environment }),
      })
      if (res.statusCode !== 201) throw new Error(`creating a token failed: ${res.body}`)
      return (res.json() as { secret: string }).secret
    },
  }
}
