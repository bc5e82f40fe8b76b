import { RemoteFlagClient, unitHash } from '@floodgate/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type RunningServer, startServer } from './app'

const FLAG = '/v1/admin/environments/production/flags/checkout'

/** @floodgate/core's remote client against the real server, over HTTP. */
describe('RemoteFlagClient against the server', () => {
  let server: RunningServer
  let token: string
  const clients: RemoteFlagClient[] = []

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const json = (await res.json()) as Record<string, unknown>
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const connect = (streaming: boolean, userId: string) => {
    const client = new RemoteFlagClient({
      url: server.url,
      token,
      context: { userId },
      streaming,
      pollIntervalMs: 50,
      backoff: { initialMs: 10, maxMs: 100 },
      logger: { warn: vi.fn(), error: vi.fn() },
    }).start()
    clients.push(client)
    return client
  }

  beforeEach(async () => {
    server = await startServer({ port: 0, db: ':memory:', logger: false })
    await admin('POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean', clientSide: true })
    await admin('PUT', FLAG, {
      enabled: true,
      rules: [
        {
          conditions: [{ attribute: 'userId', op: 'in', values: ['staff-1'] }],
          serve: { variant: 'on' },
        },
      ],
      fallthrough: { variant: 'off' },
    })
    const created = (await admin('POST', '/v1/admin/tokens', {
      name: 'browser',
      scope: 'client',
      environment: 'production',
    })) as { secret: string }
    token = created.secret
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()))
    await server.close()
  })

  for (const streaming of [true, false]) {
    it(`should follow a kill and an identify ${streaming ? 'over the stream' : 'by polling'}`, async () => {
      const flags = connect(streaming, 'staff-1')
      await flags.ready()
      expect(flags.getStatus()).toMatchObject({ status: 'ready' })
      expect(flags.getDetails('checkout', false)).toMatchObject({
        value: true,
        reason: 'TARGETING_MATCH',
        ruleIndex: 0,
      })
      await admin('POST', `${FLAG}/kill`, { reason: 'live test' })
      await vi.waitFor(() => expect(flags.isEnabled('checkout')).toBe(false))
      expect(flags.getDetails('checkout')).toMatchObject({ reason: 'KILLED' })
      await admin('POST', `${FLAG}/unkill`, {})
      await vi.waitFor(() => expect(flags.isEnabled('checkout')).toBe(true))
      await flags.identify({ userId: 'user-9' })
      expect(flags.getDetails('checkout', true)).toMatchObject({ value: false, reason: 'DEFAULT' })
    })
  }

  it('should send signals the server counts for the variant served in a rollout', async () => {
    await admin('POST', `${FLAG}/rollouts`, { treatment: 'on', control: 'off' })
    const flags = connect(true, 'staff-1')
    await flags.ready()
    expect(flags.getEvaluation()?.flags.checkout?.rollout).toMatchObject({
      unitHash: unitHash('staff-1'),
    })
    flags.recordExposure('checkout', 'on')
    flags.recordError('checkout', new Error('boom'))
    flags.recordSuccess('checkout')
    await flags.flushSignals()
    const health = (await admin('GET', `${FLAG}/health`)) as {
      stages: { variants: Record<string, { errors: number; successes: number }> }[]
    }
    expect(JSON.stringify(health.stages)).toMatch(/"on":\{[^}]*"errors":1/)
  })
})
