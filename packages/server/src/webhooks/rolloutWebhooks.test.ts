import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../app'
import { startWebhookReceiver, type WebhookReceiver } from './testUtils/webhookReceiver'
import type { WebhookPayload } from './webhookDispatcher'

const START = Date.parse('2030-01-01T00:00:00.000Z')
const PLAN = {
  treatment: 'on',
  control: 'off',
  stages: [
    { percent: 10, minDurationSec: 60, maxDurationSec: 600 },
    { percent: 50, minDurationSec: 60 },
    { percent: 100 },
  ],
  guard: { minEvidence: 5 },
}

describe('rollout webhooks and delivery metrics (end to end)', () => {
  let clock = START
  let server: RunningServer
  let receiver: WebhookReceiver
  let sdk = ''
  let nextUnit = 1
  let nextBatch = 1
  const secrets: Record<string, string> = {}

  const call = async (secret: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    // biome-ignore lint/suspicious/noExplicitAny: responses are read loosely in tests
    return { status: res.status, text, json: (text ? JSON.parse(text) : undefined) as any }
  }
  const admin = (method: string, path: string, body?: unknown) =>
    call(server.adminToken ?? '', method, path, body)
  const flagPath = (flag: string, rest = '') =>
    `/v1/admin/environments/production/flags/${flag}${rest}`
  const arm = (exposures: number, errorUnits: number) => {
    const hashes = Array.from({ length: errorUnits }, () => nextUnit++)
    return {
      exposures,
      successes: exposures - errorUnits,
      errors: errorUnits,
      errorUnits,
      errorUnitHashes: hashes,
      errorUnitHashesDropped: 0,
    }
  }
  const send = async (flag: string, treatment: [number, number], control: [number, number]) => {
    const res = await call(sdk, 'POST', '/v1/sdk/signals', {
      id: `batch-${String(nextBatch++).padStart(6, '0')}`,
      sdk: { name: 'test', version: '1.0.0', instanceId: 'i-1' },
      window: { start: clock - 1000, end: clock },
      flags: { [flag]: { on: arm(...treatment), off: arm(...control) } },
    })
    expect(res.status).toBe(202)
    await server.rollouts.settled()
  }
  const healthy = (flag: string, percent: number) =>
    send(flag, [percent * 10, percent / 5], [(100 - percent) * 10, (100 - percent) / 5])
  const tick = async (seconds: number) => {
    clock += seconds * 1000
    await server.rollouts.tick()
  }
  const start = async (flag: string) => {
    expect((await admin('POST', flagPath(flag, '/rollouts'), PLAN)).status).toBe(201)
    clock += 1000
  }

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    server = await startServer({
      port: 0,
      db: ':memory:',
      logger: false,
      rollouts: { now: () => clock, tickMs: 0 },
      webhooks: { clock: { now: () => clock }, random: () => 0.5 },
    })
    sdk = (
      await admin('POST', '/v1/admin/tokens', {
        name: 'sdk',
        scope: 'server',
        environment: 'production',
      })
    ).json.secret
    for (const key of ['checkout', 'search']) {
      expect((await admin('POST', '/v1/admin/flags', { key, kind: 'boolean' })).status).toBe(201)
    }
    const hooks: Array<[string, Record<string, unknown>]> = [
      ['all', { environments: ['production'] }],
      ['reverts', { events: ['rollout.reverted'] }],
      ['staging', { environments: ['staging'] }],
    ]
    for (const [name, filters] of hooks) {
      const res = await admin('POST', '/v1/admin/webhooks', {
        url: `${receiver.url}/${name}`,
        ...filters,
      })
      expect(res.status).toBe(201)
      secrets[name] = res.json.secret
    }
  })
  afterAll(async () => {
    await server.close()
    await receiver.close()
  })

  it('should deliver a real rollout’s events, signed, and compute delivery metrics', async () => {
    await start('checkout')
    await healthy('checkout', 10)
    await tick(30)
    await healthy('checkout', 10)
    await healthy('checkout', 10)
    await tick(31)
    clock += 1000
    await healthy('checkout', 50)
    await tick(60)
    await tick(1)
    const done = (await admin('GET', flagPath('checkout', '/rollouts/current'))).json
    expect(done.status).toBe('completed')

    await start('search')
    await send('search', [100, 2], [900, 18])
    await send('search', [100, 30], [900, 9])
    const reverted = (await admin('GET', flagPath('search', '/rollouts/current'))).json
    expect(reverted.status).toBe('reverted')

    // Four events of checkout and two of search to /all, one revert to /reverts.
    const received = await receiver.waitFor(7)
    await server.webhooks.runDue()
    expect(receiver.received).toHaveLength(7)
    const byPath = (path: string) =>
      received
        .filter((r) => r.path === path)
        .map((r) => ({ request: r, payload: JSON.parse(r.body) as WebhookPayload }))
    const all = byPath('/all')
    expect(
      all.map((e) => `${e.payload.data.flag} ${e.payload.type} ${e.payload.data.percent}`).sort(),
    ).toEqual([
      'checkout rollout.completed 100',
      'checkout rollout.promoted 100',
      'checkout rollout.promoted 50',
      'checkout rollout.started 10',
      'search rollout.reverted 0',
      'search rollout.started 10',
    ])
    const [revert] = byPath('/reverts')
    expect(revert?.payload).toMatchObject({
      type: 'rollout.reverted',
      createdAt: reverted.endedAt,
      data: {
        environment: 'production',
        flag: 'search',
        rolloutId: reverted.id,
        stageIndex: 0,
        percent: 0,
        at: reverted.endedAt,
        reason: expect.stringMatching(/error rate is above control's/),
        evidence: { errorTest: { alarm: true } },
      },
    })
    expect(byPath('/staging')).toEqual([])
    for (const { request } of [...all, ...byPath('/reverts')]) {
      const secret = secrets[request.path.slice(1)] ?? ''
      const fields = Object.fromEntries(
        String(request.headers['floodgate-signature'])
          .split(',')
          .map((p) => p.split('=')),
      )
      const expected = createHmac('sha256', secret)
        .update(`${fields.t}.${request.body}`)
        .digest('hex')
      expect(fields.v1).toBe(expected)
    }

    const hooks = (await admin('GET', '/v1/admin/webhooks')).json.webhooks
    const allHook = hooks.find((h: { url: string }) => h.url.endsWith('/all'))
    const log = (await admin('GET', `/v1/admin/webhooks/${allHook.id}/deliveries`)).json
    expect(log.deliveries).toHaveLength(6)
    expect(new Set(log.deliveries.map((d: { state: string }) => d.state))).toEqual(
      new Set(['succeeded']),
    )

    const metrics = await admin('GET', '/v1/admin/environments/production/metrics/delivery')
    expect(metrics.status).toBe(200)
    expect(metrics.json).toEqual({
      environment: 'production',
      window: {
        since: new Date(clock - 30 * 86_400_000).toISOString(),
        until: new Date(clock).toISOString(),
      },
      rollouts: { started: 2, completed: 1, reverted: 1, aborted: 0, active: 0 },
      changeFailureRate: 0.5,
      timeToDetect: { medianSeconds: 1, count: 1 },
      timeToRevert: { medianSeconds: 1, count: 1 },
      timeToFullRollout: {
        medianSeconds: (Date.parse(done.endedAt) - Date.parse(done.startedAt)) / 1000,
        count: 1,
      },
    })
    const staging = await admin('GET', '/v1/admin/environments/staging/metrics/delivery?days=7')
    expect(staging.json).toMatchObject({
      rollouts: { started: 0, completed: 0, reverted: 0 },
      changeFailureRate: null,
      timeToDetect: { medianSeconds: null, count: 0 },
    })

    const prometheus = (await fetch(`${server.url}/metrics`).then((r) => r.text())).split('\n')
    for (const line of [
      'floodgate_delivery_rollouts_started{environment="production"} 2',
      'floodgate_delivery_rollouts_completed{environment="production"} 1',
      'floodgate_delivery_rollouts_reverted{environment="production"} 1',
      'floodgate_delivery_change_failure_rate{environment="production"} 0.5',
      'floodgate_delivery_time_to_detect_seconds{environment="production"} 1',
      'floodgate_delivery_rollouts_started{environment="staging"} 0',
      'floodgate_webhook_attempts_total{state="succeeded"} 7',
    ]) {
      expect(prometheus).toContain(line)
    }
    expect(
      prometheus.some((l) =>
        l.startsWith('floodgate_delivery_change_failure_rate{environment="staging"}'),
      ),
    ).toBe(false)
  })

  it('should refuse bad metrics requests with problem details', async () => {
    const missing = await admin('GET', '/v1/admin/environments/nowhere/metrics/delivery')
    expect(missing.status).toBe(404)
    const bad = await admin('GET', '/v1/admin/environments/production/metrics/delivery?days=0')
    expect(bad.status).toBe(400)
    expect(bad.json.errors[0].path).toBe('/days')
  })
})
