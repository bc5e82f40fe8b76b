import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from './app'
import { openSse } from './testUtils/sseClient'

type Who = 'none' | 'wrong' | 'revoked' | 'client' | 'server' | 'admin'
const WHO: Who[] = ['none', 'wrong', 'revoked', 'client', 'server', 'admin']

interface Endpoint {
  method: string
  path: string
  body?: unknown
  /** Expected status per token; the rest default to the admin-only expectations. */
  expect: Partial<Record<Who, number>>
  stream?: boolean
}

const ADMIN_ONLY = { none: 401, wrong: 401, revoked: 401, client: 403, server: 403 }
const SDK = { none: 401, wrong: 401, revoked: 401, admin: 403 }
const OPEN = { none: 200, wrong: 200, revoked: 200, client: 200, server: 200, admin: 200 }
const CFG = '/v1/admin/environments/production/flags/a'

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/healthz', expect: OPEN },
  { method: 'GET', path: '/readyz', expect: OPEN },
  { method: 'GET', path: '/metrics', expect: OPEN },
  { method: 'GET', path: '/v1/sdk/snapshot', expect: { ...SDK, client: 200, server: 200 } },
  {
    method: 'GET',
    path: '/v1/sdk/stream',
    expect: { ...SDK, client: 200, server: 200 },
    stream: true,
  },
  {
    method: 'POST',
    path: '/v1/sdk/signals',
    body: {
      sdk: { name: 't', version: '1', instanceId: 'i' },
      window: { start: 0, end: 1 },
      flags: {},
    },
    expect: { ...SDK, client: 202, server: 202 },
  },
  { method: 'GET', path: '/v1/admin/flags', expect: { admin: 200 } },
  {
    method: 'POST',
    path: '/v1/admin/flags',
    body: { key: 'b', kind: 'boolean' },
    expect: { admin: 201 },
  },
  { method: 'GET', path: '/v1/admin/flags/a', expect: { admin: 200 } },
  {
    method: 'PUT',
    path: '/v1/admin/flags/a',
    body: { kind: 'boolean', description: 'd' },
    expect: { admin: 200 },
  },
  { method: 'DELETE', path: '/v1/admin/flags/gone', expect: { admin: 204 } },
  { method: 'GET', path: '/v1/admin/environments', expect: { admin: 200 } },
  { method: 'POST', path: '/v1/admin/environments', body: { name: 'qa' }, expect: { admin: 201 } },
  { method: 'GET', path: '/v1/admin/environments/production/flags', expect: { admin: 200 } },
  { method: 'GET', path: CFG, expect: { admin: 200 } },
  {
    method: 'PUT',
    path: CFG,
    body: { enabled: true, fallthrough: { variant: 'on' } },
    expect: { admin: 200 },
  },
  { method: 'POST', path: `${CFG}/rollout`, body: { percent: 5 }, expect: { admin: 200 } },
  { method: 'POST', path: `${CFG}/kill`, body: { reason: 'r' }, expect: { admin: 200 } },
  { method: 'POST', path: `${CFG}/unkill`, body: {}, expect: { admin: 200 } },
  { method: 'POST', path: `${CFG}/revert`, body: { toVersion: 1 }, expect: { admin: 200 } },
  {
    method: 'POST',
    path: `${CFG}/rollouts`,
    body: { treatment: 'on', control: 'off' },
    expect: { admin: 201 },
  },
  { method: 'GET', path: `${CFG}/rollouts`, expect: { admin: 200 } },
  { method: 'GET', path: `${CFG}/rollouts/current`, expect: { admin: 200 } },
  { method: 'POST', path: `${CFG}/rollouts/current/pause`, expect: { admin: 200 } },
  { method: 'POST', path: `${CFG}/rollouts/current/resume`, expect: { admin: 200 } },
  { method: 'POST', path: `${CFG}/rollouts/current/promote`, expect: { admin: 200 } },
  { method: 'POST', path: `${CFG}/rollouts/current/abort`, expect: { admin: 200 } },
  { method: 'GET', path: `${CFG}/health`, expect: { admin: 200 } },
  { method: 'GET', path: '/v1/admin/environments/production/segments', expect: { admin: 200 } },
  {
    method: 'PUT',
    path: '/v1/admin/environments/production/segments/s',
    body: { conditions: [] },
    expect: { admin: 201 },
  },
  { method: 'GET', path: '/v1/admin/environments/production/segments/s', expect: { admin: 200 } },
  {
    method: 'DELETE',
    path: '/v1/admin/environments/production/segments/s',
    expect: { admin: 204 },
  },
  { method: 'GET', path: '/v1/admin/audit', expect: { admin: 200 } },
  {
    method: 'POST',
    path: '/v1/admin/tokens',
    body: { name: 'n', scope: 'admin' },
    expect: { admin: 201 },
  },
  { method: 'GET', path: '/v1/admin/tokens', expect: { admin: 200 } },
  { method: 'DELETE', path: '/v1/admin/tokens/:victim', expect: { admin: 200 } },
  { method: 'GET', path: '/v1/admin/stream', expect: { admin: 200 }, stream: true },
  {
    method: 'POST',
    path: '/v1/admin/webhooks',
    body: { url: 'https://hooks.example.com/floodgate' },
    expect: { admin: 201 },
  },
  { method: 'GET', path: '/v1/admin/webhooks', expect: { admin: 200 } },
  { method: 'GET', path: '/v1/admin/webhooks/:webhook', expect: { admin: 200 } },
  {
    method: 'PATCH',
    path: '/v1/admin/webhooks/:webhook',
    body: { description: 'd' },
    expect: { admin: 200 },
  },
  { method: 'POST', path: '/v1/admin/webhooks/:webhook/test', expect: { admin: 200 } },
  { method: 'GET', path: '/v1/admin/webhooks/:webhook/deliveries', expect: { admin: 200 } },
  { method: 'DELETE', path: '/v1/admin/webhooks/:webhook', expect: { admin: 204 } },
  {
    method: 'GET',
    path: '/v1/admin/environments/production/metrics/delivery',
    expect: { admin: 200 },
  },
]

describe('requireScope', () => {
  let server: RunningServer
  const secrets: Partial<Record<Who, string>> = {}
  let victim = ''
  let webhook = ''

  const call = async (method: string, path: string, secret?: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(secret === undefined ? {} : { authorization: `Bearer ${secret}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    await res.arrayBuffer()
    return res
  }
  const newToken = async (scope: string, environment?: string) => {
    const res = await fetch(`${server.url}/v1/admin/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${scope}-t`, scope, ...(environment ? { environment } : {}) }),
    })
    return (await res.json()) as { token: { id: string }; secret: string }
  }

  beforeAll(async () => {
    server = await startServer({ port: 0, db: ':memory:', logger: false })
    secrets.admin = server.adminToken
    secrets.wrong = `fg_admin_${'x'.repeat(43)}`
    secrets.client = (await newToken('client', 'production')).secret
    secrets.server = (await newToken('server', 'production')).secret
    for (const key of ['a', 'gone'])
      await call('POST', '/v1/admin/flags', secrets.admin, { key, kind: 'boolean' })
    victim = (await newToken('server', 'staging')).token.id
    // A closed port: the test ping fails at once and the endpoint still answers 200.
    const hook = await fetch(`${server.url}/v1/admin/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }),
    })
    webhook = ((await hook.json()) as { webhook: { id: string } }).webhook.id
  })
  afterAll(async () => {
    await server.close()
  })

  it.each(ENDPOINTS)('should admit to $method $path only the right tokens', async (endpoint) => {
    const path = endpoint.path.replace(':victim', victim).replace(':webhook', webhook)
    for (const who of WHO) {
      const expected = endpoint.expect[who] ?? ADMIN_ONLY[who as keyof typeof ADMIN_ONLY]
      let secret = secrets[who]
      if (who === 'revoked') {
        const sdk = endpoint.path.startsWith('/v1/sdk')
        const token = await newToken(sdk ? 'server' : 'admin', sdk ? 'production' : undefined)
        await call('DELETE', `/v1/admin/tokens/${token.token.id}`, secrets.admin)
        secret = token.secret
      }
      let status: number
      if (endpoint.stream) {
        const sse = await openSse(
          `${server.url}${path}`,
          secret ? { authorization: `Bearer ${secret}` } : {},
        )
        status = sse.status
        sse.close()
      } else {
        status = (await call(endpoint.method, path, secret, endpoint.body)).status
      }
      expect({ who, status }).toEqual({ who, status: expected })
    }
  })

  it('should answer 401 with a Bearer challenge and 403 for the wrong scope', async () => {
    const none = await call('GET', '/v1/admin/flags')
    expect(none.headers.get('www-authenticate')).toContain('Bearer')
    expect(none.headers.get('content-type')).toContain('application/problem+json')
    const malformed = await fetch(`${server.url}/v1/admin/flags`, {
      headers: { authorization: 'Basic abc' },
    })
    expect(malformed.status).toBe(401)
    const forbidden = await fetch(`${server.url}/v1/admin/flags`, {
      headers: { authorization: `Bearer ${secrets.server}` },
    })
    expect(((await forbidden.json()) as { detail: string }).detail).toBe(
      'this endpoint needs a token of scope admin, not server',
    )
  })
})
