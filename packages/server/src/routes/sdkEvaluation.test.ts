import {
  type Evaluation,
  type EvaluationPatch,
  evaluate,
  type Snapshot,
  unitHash,
} from '@floodgate/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../app'
import { openSse, type SseClient } from '../testUtils/sseClient'

const CONFIG = (key: string) => `/v1/admin/environments/production/flags/${key}`

describe('POST /v1/sdk/evaluate and its stream', () => {
  let server: RunningServer
  let client: string
  const open: SseClient[] = []

  const call = async (
    secret: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await call(server.adminToken ?? '', method, path, body)
    const json = (await res.json()) as Record<string, unknown>
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const token = async (scope: 'server' | 'client') =>
    (
      (await admin('POST', '/v1/admin/tokens', {
        name: `${scope}-${Math.random()}`,
        scope,
        environment: 'production',
      })) as { secret: string }
    ).secret
  const evaluateFor = async (context: unknown, secret = client) => {
    const res = await call(secret, 'POST', '/v1/sdk/evaluate', { context })
    expect(res.status).toBe(200)
    return { etag: res.headers.get('etag'), body: (await res.json()) as Evaluation }
  }
  const stream = async (context: unknown, secret = client) => {
    const sse = await openSse(
      `${server.url}/v1/sdk/evaluate/stream`,
      { authorization: `Bearer ${secret}` },
      { context },
    )
    open.push(sse)
    return sse
  }
  const patches = (sse: SseClient): EvaluationPatch[] =>
    sse.events.filter((e) => e.event === 'patch').map((e) => JSON.parse(e.data))

  beforeEach(async () => {
    server = await startServer({ port: 0, db: ':memory:', logger: false })
    await admin('POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean', clientSide: true })
    await admin('POST', '/v1/admin/flags', { key: 'backend', kind: 'boolean' })
    await admin('PUT', CONFIG('checkout'), {
      enabled: true,
      rules: [
        {
          conditions: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }],
          serve: { variant: 'on' },
        },
      ],
      fallthrough: {
        split: [
          { variant: 'on', weight: 5000 },
          { variant: 'off', weight: 5000 },
        ],
      },
    })
    await admin('PUT', CONFIG('backend'), { enabled: true, fallthrough: { variant: 'on' } })
    client = await token('client')
  })
  afterEach(async () => {
    for (const sse of open.splice(0)) sse.close()
    await server.close()
  })

  it('should evaluate the clientSide flags for the posted context, keeping the rules out', async () => {
    const staff = await evaluateFor({ userId: 'user-1', email: 'ann@acme.com' })
    expect(staff.body).toMatchObject({ schemaVersion: 1, environment: 'production' })
    expect(Object.keys(staff.body.flags)).toEqual(['checkout'])
    expect(staff.body.flags.checkout).toEqual({
      version: 2,
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      ruleIndex: 0,
    })
    expect(JSON.stringify(staff.body)).not.toContain('acme.com')

    // Every user gets what local evaluation of the same snapshot gives them.
    const res = await call(await token('server'), 'GET', '/v1/sdk/snapshot')
    const snapshot = (await res.json()) as Snapshot
    for (const userId of ['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6']) {
      const { body } = await evaluateFor({ userId })
      const local = evaluate(snapshot.flags.checkout, { userId }, snapshot.segments)
      expect(body.flags.checkout).toMatchObject({ variant: local.variant, reason: 'SPLIT' })
    }
    const anonymous = await evaluateFor({})
    expect(anonymous.body.flags.checkout).toMatchObject({
      variant: 'off',
      value: false,
      errorCode: 'TARGETING_KEY_MISSING',
    })

    const everything = await evaluateFor({ userId: 'user-1' }, await token('server'))
    expect(Object.keys(everything.body.flags).sort()).toEqual(['backend', 'checkout'])
  })

  it('should answer 304 to If-None-Match while what the token sees has not changed', async () => {
    const first = await evaluateFor({ userId: 'user-1' })
    expect(first.etag).toBe(`"${first.body.version}"`)
    const same = await call(
      client,
      'POST',
      '/v1/sdk/evaluate',
      { context: { userId: 'user-1' } },
      { 'if-none-match': first.etag ?? '' },
    )
    expect(same.status).toBe(304)
    // A server-only flag's change is not a change for a client token.
    await admin('POST', `${CONFIG('backend')}/kill`, { reason: 'test' })
    expect((await evaluateFor({ userId: 'user-1' })).etag).toBe(first.etag)
    await admin('POST', `${CONFIG('checkout')}/kill`, { reason: 'test' })
    const killed = await evaluateFor({ userId: 'user-1' })
    expect(killed.etag).not.toBe(first.etag)
    expect(killed.body.flags.checkout).toMatchObject({ value: false, reason: 'KILLED' })
  })

  it('should refuse a malformed context with a problem naming it, and a missing token', async () => {
    const cases: [unknown, string][] = [
      [{ context: { userId: { id: 1 } } }, '/context/userId'],
      [{ context: 'user-1' }, '/context'],
      [{ context: {}, extra: true }, '/'],
      [
        { context: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, i])) },
        '/context',
      ],
      [{ context: { name: 'x'.repeat(1025) } }, '/context/name'],
    ]
    for (const [body, path] of cases) {
      for (const route of ['/v1/sdk/evaluate', '/v1/sdk/evaluate/stream']) {
        const res = await call(client, 'POST', route, body)
        expect(res.status, `${route} ${JSON.stringify(body).slice(0, 60)}`).toBe(400)
        expect(res.headers.get('content-type')).toContain('application/problem+json')
        const problem = (await res.json()) as { errors: { path: string }[] }
        expect(problem.errors.map((e) => e.path)).toContain(path)
      }
    }
    const notJson = await call(client, 'POST', '/v1/sdk/evaluate', '{"context":', {})
    expect(notJson.status).toBe(400)
    expect((await call('fg_client_nope', 'POST', '/v1/sdk/evaluate', { context: {} })).status).toBe(
      401,
    )
    expect(
      (await call(server.adminToken ?? '', 'POST', '/v1/sdk/evaluate', { context: {} })).status,
    ).toBe(403)
  })

  it('should carry a running rollout: control value, local guard and the unit of the split', async () => {
    const plan = {
      treatment: 'on',
      control: 'off',
      localGuard: { minErrors: 5, maxErrorRate: 0.5 },
    }
    await admin('POST', `${CONFIG('checkout')}/rollouts`, plan)
    const { body } = await evaluateFor({ userId: 'user-1' })
    expect(body.flags.checkout?.rollout).toMatchObject({
      stage: 0,
      treatment: 'on',
      control: 'off',
      controlValue: false,
      localGuard: { minErrors: 5, maxErrorRate: 0.5 },
      unitHash: unitHash('user-1'),
    })
  })

  it('should stream a put, then a patch per change of what this context is served', async () => {
    const sse = await stream({ userId: 'user-1', email: 'ann@acme.com' })
    expect(sse.status).toBe(200)
    expect(sse.headers['content-type']).toContain('text/event-stream')
    const put = JSON.parse((await sse.waitFor((e) => e.event === 'put')).data) as Evaluation
    expect(put.flags.checkout).toMatchObject({ version: 2, value: true, reason: 'TARGETING_MATCH' })

    // A server-only flag is invisible; a new split gives staff the same value under a new version.
    await admin('POST', `${CONFIG('backend')}/kill`, { reason: 'test' })
    await admin('POST', `${CONFIG('checkout')}/rollout`, { percent: 10 })
    await admin('POST', `${CONFIG('checkout')}/kill`, { reason: 'test' })
    await admin('POST', '/v1/admin/flags', { key: 'banner', kind: 'boolean', clientSide: true })
    await admin('PUT', '/v1/admin/flags/checkout', { kind: 'boolean', clientSide: false })
    await sse.waitFor((e) => e.event === 'patch' && e.data.includes('"checkout":null'))
    const seen = patches(sse)
    expect(seen.map((p) => Object.keys(p.flags))).toEqual([
      ['checkout'],
      ['checkout'],
      ['banner'],
      ['checkout'],
    ])
    expect(seen[0]?.flags.checkout).toMatchObject({
      version: 3,
      value: true,
      reason: 'TARGETING_MATCH',
    })
    expect(seen[1]?.flags.checkout).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'KILLED',
    })
    expect(seen[2]?.flags.banner).toMatchObject({ value: false, reason: 'DISABLED' })
    const versions = seen.map((p) => p.version)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
    expect(sse.events.filter((e) => e.event === 'patch').map((e) => Number(e.id))).toEqual(versions)
  })

  it('should close an evaluation stream of a revoked token, and refuse GET and a bad token', async () => {
    const created = (await admin('POST', '/v1/admin/tokens', {
      name: 'revoked',
      scope: 'client',
      environment: 'production',
    })) as { token: { id: string }; secret: string }
    const sse = await stream({ userId: 'user-1' }, created.secret)
    await sse.waitFor((e) => e.event === 'put')
    await admin('DELETE', `/v1/admin/tokens/${created.token.id}`)
    await sse.ended
    expect((await stream({ userId: 'user-1' }, created.secret)).status).toBe(401)
    const get = await call(client, 'GET', '/v1/sdk/evaluate/stream')
    expect(get.status).toBe(404)
  })
})
