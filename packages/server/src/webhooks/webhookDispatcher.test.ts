import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSqliteStore } from '../store/sqliteStore'
import type { NewWebhookEndpoint, Store } from '../store/store'
import { startWebhookReceiver, type WebhookReceiver } from './testUtils/webhookReceiver'
import { WebhookDispatcher, type WebhookEvent, type WebhookPayload } from './webhookDispatcher'
import { createWebhookSecret } from './webhookSecret'

const system = { name: 'system', tokenId: null }
const T0 = Date.parse('2030-01-01T00:00:00.000Z')

const started: WebhookEvent = {
  type: 'rollout.started',
  environment: 'production',
  createdAt: '2030-01-01T00:00:00.000Z',
  data: { flag: 'new-checkout', rolloutId: 'r_1', stageIndex: 0, percent: 1 },
}

/** Checks a signature the way a receiver's own code would, without Floodgate's helper. */
function verifiedBy(secret: string, header: string | string[] | undefined, body: string) {
  const fields = Object.fromEntries(
    String(header)
      .split(',')
      .map((p) => p.split('=')),
  )
  const expected = createHmac('sha256', secret).update(`${fields.t}.${body}`).digest('hex')
  return { t: Number(fields.t), valid: fields.v1 === expected }
}

describe('WebhookDispatcher', () => {
  let store: Store
  let receiver: WebhookReceiver
  let now: number
  const clock = { now: () => now }
  const dispatcher = (options: Partial<ConstructorParameters<typeof WebhookDispatcher>[0]> = {}) =>
    new WebhookDispatcher({ store, clock, random: () => 0.5, ...options })
  const endpoint = (extra: Partial<NewWebhookEndpoint> = {}) =>
    store.createWebhookEndpoint(
      {
        url: `${receiver.url}/hook`,
        description: '',
        events: [],
        environments: [],
        secret: createWebhookSecret(),
        enabled: true,
        ...extra,
      },
      system,
    )

  beforeEach(async () => {
    store = await createSqliteStore({ path: ':memory:' })
    receiver = await startWebhookReceiver()
    now = T0
  })
  afterEach(async () => {
    await receiver.close()
    await store.close()
  })

  it('should sign the payload, retry 500s with backoff and log every attempt', async () => {
    const hook = await endpoint()
    const d = dispatcher()
    receiver.respondWith(500, 503)
    const [queued] = await d.publish(started)
    expect(queued).toMatchObject({ state: 'pending', eventType: 'rollout.started' })

    expect(await d.runDue()).toBe(1)
    expect(await d.runDue()).toBe(0)
    now += 9_999
    expect(await d.runDue()).toBe(0)
    now += 1
    expect(await d.runDue()).toBe(1)
    now += 39_999
    expect(await d.runDue()).toBe(0)
    now += 1
    expect(await d.runDue()).toBe(1)

    const requests = receiver.received
    expect(requests.map((r) => r.headers['floodgate-attempt'])).toEqual(['1', '2', '3'])
    const bodies = new Set(requests.map((r) => r.body))
    expect(bodies.size).toBe(1)
    const payload = JSON.parse(requests[0]?.body ?? '') as WebhookPayload
    expect(payload).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{24}$/),
      type: 'rollout.started',
      createdAt: started.createdAt,
      data: started.data,
    })
    expect(requests[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'floodgate-event': 'rollout.started',
      'floodgate-delivery': queued?.id,
    })
    expect(
      requests.map((r) => verifiedBy(hook.secret, r.headers['floodgate-signature'], r.body)),
    ).toEqual([
      { t: T0 / 1000, valid: true },
      { t: T0 / 1000 + 10, valid: true },
      { t: T0 / 1000 + 50, valid: true },
    ])
    expect(
      verifiedBy(
        createWebhookSecret(),
        requests[0]?.headers['floodgate-signature'],
        requests[0]?.body ?? '',
      ).valid,
    ).toBe(false)

    const delivery = await store.getWebhookDelivery(queued?.id ?? '')
    expect(delivery).toMatchObject({ state: 'succeeded', attempts: 3, nextAttemptAt: null })
    expect(delivery?.log.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 503, 'HTTP 503'],
      [3, 200, null],
    ])
    expect(delivery?.log.map((a) => a.at)).toEqual([
      '2030-01-01T00:00:00.000Z',
      '2030-01-01T00:00:10.000Z',
      '2030-01-01T00:00:50.000Z',
    ])
  })

  it('should mark a delivery failed after the last attempt', async () => {
    await endpoint()
    const d = dispatcher({ maxAttempts: 3 })
    receiver.respondWith(500, 500, 500, 500)
    const [queued] = await d.publish(started)
    for (let i = 0; i < 5; i++) {
      await d.runDue()
      now += 3600_000
    }
    expect(receiver.received).toHaveLength(3)
    const delivery = await store.getWebhookDelivery(queued?.id ?? '')
    expect(delivery).toMatchObject({ state: 'failed', attempts: 3, nextAttemptAt: null })
  })

  it('should grow the delay by the factor, cap it and spread it by the jitter', () => {
    const at = (random: number) => dispatcher({ random: () => random })
    expect([1, 2, 3, 4].map((n) => at(0.5).retryDelayMs(n))).toEqual([
      10_000, 40_000, 160_000, 640_000,
    ])
    expect(at(0.5).retryDelayMs(30)).toBe(6 * 3600_000)
    expect(at(0).retryDelayMs(1)).toBe(8_000)
    expect(at(0.999_999).retryDelayMs(1)).toBe(12_000)
  })

  it('should send only to enabled endpoints whose filters match', async () => {
    const all = await endpoint()
    const reverts = await endpoint({ events: ['rollout.reverted'] })
    const staging = await endpoint({ environments: ['staging'] })
    const production = await endpoint({ environments: ['production'], events: ['rollout.started'] })
    await endpoint({ enabled: false })
    const d = dispatcher()
    const queued = await d.publish(started)
    expect(queued.map((q) => q.endpointId).sort()).toEqual([all.id, production.id].sort())
    const reverted = await d.publish({
      ...started,
      type: 'rollout.reverted',
      environment: 'staging',
    })
    expect(reverted.map((q) => q.endpointId).sort()).toEqual(
      [all.id, reverts.id, staging.id].sort(),
    )
    expect(await d.runDue()).toBe(5)
    expect(receiver.received).toHaveLength(5)
  })

  it('should record timeouts and refused connections as failed attempts', async () => {
    receiver.hangOn('/slow')
    const slow = await endpoint({ url: `${receiver.url}/slow` })
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as { port: number }).port
    await new Promise((r) => closed.close(r))
    const refused = await endpoint({ url: `http://127.0.0.1:${port}/hook` })
    const d = dispatcher({ timeoutMs: 200 })
    await d.publish(started)
    expect(await d.runDue()).toBe(2)
    const [slowDelivery] = await store.listWebhookDeliveries({ endpointId: slow.id, limit: 1 })
    const [refusedDelivery] = await store.listWebhookDeliveries({
      endpointId: refused.id,
      limit: 1,
    })
    expect(slowDelivery?.log[0]).toMatchObject({
      statusCode: null,
      error: 'timed out after 200 ms',
    })
    expect(refusedDelivery?.log[0]).toMatchObject({ statusCode: null, error: 'ECONNREFUSED' })
    expect(slowDelivery).toMatchObject({
      state: 'pending',
      nextAttemptAt: '2030-01-01T00:00:10.000Z',
    })
  })

  it('should not let two dispatchers send the same delivery', async () => {
    for (let i = 0; i < 4; i++) await endpoint()
    const one = dispatcher({ batchSize: 3 })
    const two = dispatcher({ batchSize: 3 })
    for (let i = 0; i < 5; i++) await one.publish(started)
    // A second call while a run is going joins that run.
    const [a, b, a2] = await Promise.all([one.runDue(), two.runDue(), one.runDue()])
    expect(a2).toBe(a)
    expect((a ?? 0) + (b ?? 0)).toBe(20)
    expect(receiver.received).toHaveLength(20)
    expect(new Set(receiver.received.map((r) => r.headers['floodgate-delivery'])).size).toBe(20)
  })

  it('should keep queued deliveries across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floodgate-webhooks-'))
    try {
      const path = join(dir, 'floodgate.db')
      const first = await createSqliteStore({ path })
      await first.createWebhookEndpoint(
        {
          url: `${receiver.url}/hook`,
          description: '',
          events: [],
          environments: [],
          secret: createWebhookSecret(),
          enabled: true,
        },
        system,
      )
      receiver.respondWith(500)
      const before = new WebhookDispatcher({ store: first, clock, random: () => 0.5 })
      await before.publish(started)
      expect(await before.runDue()).toBe(1)
      await first.close()

      const reopened = await createSqliteStore({ path })
      const after = new WebhookDispatcher({ store: reopened, clock, random: () => 0.5 })
      expect(await after.runDue()).toBe(0)
      now += 10_000
      expect(await after.runDue()).toBe(1)
      expect(receiver.received.map((r) => r.headers['floodgate-attempt'])).toEqual(['1', '2'])
      await reopened.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('should finish queueing published events before stop resolves', async () => {
    const hook = await endpoint()
    const d = dispatcher()
    const published = d.publish(started)
    await d.stop()
    expect(await store.listWebhookDeliveries({ endpointId: hook.id, limit: 10 })).toHaveLength(1)
    expect(await published).toHaveLength(1)
  })

  it('should prune finished deliveries past the retention and keep pending ones', async () => {
    const hook = await endpoint()
    const d = dispatcher({ logRetentionMs: 60_000 })
    receiver.respondWith(200, 500)
    await d.publish(started)
    await d.publish(started)
    await d.runDue()
    now += 60_000
    expect(await d.pruneLog()).toBe(0)
    now += 1
    expect(await d.pruneLog()).toBe(1)
    const left = await store.listWebhookDeliveries({ endpointId: hook.id, limit: 10 })
    expect(left.map((l) => l.state)).toEqual(['pending'])
  })

  it('should poll once started and wake on publish', async () => {
    await endpoint()
    const d = new WebhookDispatcher({ store, pollMs: 60_000 })
    d.start()
    await d.publish(started)
    await receiver.waitFor(1)
    await d.stop()
    const ping = await d.ping((await store.listWebhookEndpoints())[0]?.id ?? '')
    expect(ping).toMatchObject({ eventType: 'ping', state: 'succeeded', attempts: 1 })
    expect(JSON.parse(receiver.received[1]?.body ?? '')).toMatchObject({ type: 'ping' })
    expect(await d.ping('wh_missing')).toBeUndefined()
  })
})
