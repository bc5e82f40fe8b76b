import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../app'
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/testUtils/webhookReceiver'

describe('adminWebhooksRoutes', () => {
  let server: RunningServer
  let receiver: WebhookReceiver
  let now = Date.now()

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      // biome-ignore lint/suspicious/noExplicitAny: test responses are read loosely
      json: (text ? JSON.parse(text) : undefined) as any,
    }
  }
  const signedWith = (secret: string, index: number) => {
    const request = receiver.received[index]
    const fields = Object.fromEntries(
      String(request?.headers['floodgate-signature'])
        .split(',')
        .map((p) => p.split('=')),
    )
    const expected = createHmac('sha256', secret)
      .update(`${fields.t}.${request?.body}`)
      .digest('hex')
    return fields.v1 === expected
  }

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      db: ':memory:',
      logger: false,
      webhooks: { clock: { now: () => now }, random: () => 0.5 },
    })
  })
  beforeEach(async () => {
    await receiver?.close()
    receiver = await startWebhookReceiver()
  })
  afterAll(async () => {
    await receiver.close()
    await server.close()
  })

  it('should create a webhook, show its secret once and sign test pings with it', async () => {
    const created = await call('POST', '/v1/admin/webhooks', {
      url: `${receiver.url}/hook`,
      description: 'ops channel',
      events: ['rollout.reverted', 'rollout.reverted', 'rollout.started'],
      environments: ['production'],
    })
    expect(created.status).toBe(201)
    const { webhook, secret } = created.json
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    expect(webhook).toEqual({
      id: expect.stringMatching(/^wh_[0-9a-f]{24}$/),
      url: `${receiver.url}/hook`,
      description: 'ops channel',
      events: ['rollout.reverted', 'rollout.started'],
      environments: ['production'],
      enabled: true,
      secretHint: `${secret.slice(0, 10)}…`,
      createdAt: expect.any(String),
      createdBy: 'admin',
      updatedAt: expect.any(String),
    })
    const got = await call('GET', `/v1/admin/webhooks/${webhook.id}`)
    expect(got.json).toEqual({ webhook })
    const listed = await call('GET', '/v1/admin/webhooks')
    expect(listed.json).toEqual({ webhooks: [webhook] })
    const audit = await call('GET', '/v1/admin/audit?limit=5')
    expect(audit.json.entries[0]).toMatchObject({
      action: 'webhook.create',
      resourceKey: webhook.id,
    })
    for (const text of [got, listed, audit].map((r) => JSON.stringify(r.json))) {
      expect(text).not.toContain(secret)
    }

    const ping = await call('POST', `/v1/admin/webhooks/${webhook.id}/test`)
    expect(ping.status).toBe(200)
    expect(ping.json.delivery).toMatchObject({
      endpointId: webhook.id,
      eventType: 'ping',
      state: 'succeeded',
      attempts: 1,
      log: [{ attempt: 1, statusCode: 200, error: null }],
    })
    expect(receiver.received).toHaveLength(1)
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toEqual({
      id: ping.json.delivery.eventId,
      type: 'ping',
      createdAt: new Date(now).toISOString(),
      data: { endpointId: webhook.id, url: `${receiver.url}/hook` },
    })
    expect(signedWith(secret, 0)).toBe(true)

    const rotated = await call('PATCH', `/v1/admin/webhooks/${webhook.id}`, {
      rotateSecret: true,
      enabled: false,
    })
    expect(rotated.status).toBe(200)
    expect(rotated.json.secret).toMatch(/^whsec_/)
    expect(rotated.json.secret).not.toBe(secret)
    expect(rotated.json.webhook).toMatchObject({ enabled: false, events: webhook.events })
    await call('POST', `/v1/admin/webhooks/${webhook.id}/test`)
    expect(signedWith(rotated.json.secret, 1)).toBe(true)
    expect(signedWith(secret, 1)).toBe(false)
    const quiet = await call('PATCH', `/v1/admin/webhooks/${webhook.id}`, { description: 'x' })
    expect(quiet.json.secret).toBeUndefined()
  })

  it('should log failed attempts, retry them and filter the delivery log', async () => {
    const { json } = await call('POST', '/v1/admin/webhooks', { url: `${receiver.url}/flaky` })
    const id = json.webhook.id
    receiver.respondWith(500)
    const ping = await call('POST', `/v1/admin/webhooks/${id}/test`)
    expect(ping.json.delivery).toMatchObject({
      state: 'pending',
      attempts: 1,
      nextAttemptAt: new Date(now + 10_000).toISOString(),
      log: [{ attempt: 1, statusCode: 500, error: 'HTTP 500' }],
    })
    const pending = await call('GET', `/v1/admin/webhooks/${id}/deliveries?state=pending`)
    expect(pending.json.deliveries.map((d: { id: string }) => d.id)).toEqual([
      ping.json.delivery.id,
    ])
    now += 10_000
    await server.webhooks.runDue()
    expect(receiver.received.map((r) => r.headers['floodgate-attempt'])).toEqual(['1', '2'])
    const log = await call('GET', `/v1/admin/webhooks/${id}/deliveries`)
    expect(log.json.deliveries[0]).toMatchObject({ state: 'succeeded', attempts: 2 })
    expect(log.json.deliveries[0].log.map((a: { statusCode: number }) => a.statusCode)).toEqual([
      500, 200,
    ])
    expect(
      (await call('GET', `/v1/admin/webhooks/${id}/deliveries?state=pending`)).json.deliveries,
    ).toEqual([])
  })

  it('should refuse bad input with problem details and change nothing', async () => {
    const before = (await call('GET', '/v1/admin/webhooks')).json.webhooks.length
    const cases: Array<[unknown, string, string]> = [
      [{ url: 'ftp://example.com/hook' }, '/url', 'webhook URLs must use http or https, not ftp'],
      [{ url: 'not a url' }, '/url', '"not a url" is not an absolute URL'],
      [
        { url: 'https://a:b@example.com/' },
        '/url',
        'webhook URLs must not carry credentials; the signature authenticates deliveries',
      ],
      [{ url: 'https://example.com/', events: ['flag.created'] }, '/events/0', expect.any(String)],
      [
        { url: 'https://example.com/', environments: ['nowhere'] },
        '/environments/0',
        'environment "nowhere" does not exist',
      ],
      [{ url: 'https://example.com/', secret: 'mine' }, '/', expect.any(String)],
      [{}, '/url', expect.any(String)],
    ] as Array<[unknown, string, string]>
    for (const [body, path, message] of cases) {
      const res = await call('POST', '/v1/admin/webhooks', body)
      expect(res.status).toBe(400)
      expect(res.type).toContain('application/problem+json')
      expect(res.json.errors[0]).toEqual({ path, message })
    }
    const id = (await call('POST', '/v1/admin/webhooks', { url: 'https://example.com/' })).json
      .webhook.id
    const patch = await call('PATCH', `/v1/admin/webhooks/${id}`, { url: 'gopher://x' })
    expect(patch.status).toBe(400)
    expect((await call('GET', `/v1/admin/webhooks/${id}`)).json.webhook.url).toBe(
      'https://example.com/',
    )
    expect((await call('GET', `/v1/admin/webhooks/${id}/deliveries?limit=0`)).status).toBe(400)
    expect((await call('GET', '/v1/admin/webhooks/nope')).json.errors[0].path).toBe('/id')
    expect((await call('GET', '/v1/admin/webhooks')).json.webhooks.length).toBe(before + 1)
  })

  it('should delete a webhook with its delivery log', async () => {
    const { json } = await call('POST', '/v1/admin/webhooks', { url: `${receiver.url}/gone` })
    const id = json.webhook.id
    await call('POST', `/v1/admin/webhooks/${id}/test`)
    expect((await call('DELETE', `/v1/admin/webhooks/${id}`)).status).toBe(204)
    for (const [method, path] of [
      ['GET', `/v1/admin/webhooks/${id}`],
      ['GET', `/v1/admin/webhooks/${id}/deliveries`],
      ['POST', `/v1/admin/webhooks/${id}/test`],
      ['PATCH', `/v1/admin/webhooks/${id}`],
      ['DELETE', `/v1/admin/webhooks/${id}`],
    ] as const) {
      const res = await call(method, path, method === 'PATCH' ? {} : undefined)
      expect({ method, status: res.status, detail: res.json.detail }).toEqual({
        method,
        status: 404,
        detail: `webhook "${id}" does not exist`,
      })
    }
  })
})
