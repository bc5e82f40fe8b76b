import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { connect } from 'node:net'
import { parseSnapshot, parseStreamPatch, type StreamPatch } from '@floodgate/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type RunningServer, type ServerOptions, startServer } from './app'
import { FANOUT_CHANNEL, type FanoutMessage } from './fanoutChannel'
import { openSse, type SseClient } from './testUtils/sseClient'

describe('StreamHub', () => {
  let server: RunningServer
  const open: SseClient[] = []

  const start = async (options: ServerOptions = {}) => {
    server = await startServer({ port: 0, db: ':memory:', logger: false, ...options })
  }
  afterEach(async () => {
    for (const client of open.splice(0)) client.close()
    await server.close()
  })

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
  const token = async (scope: 'server' | 'client', environment = 'production') =>
    (await admin('POST', '/v1/admin/tokens', { name: `${scope}-sdk`, scope, environment })) as {
      token: { id: string }
      secret: string
    }
  const stream = async (
    secret: string,
    headers: Record<string, string> = {},
    path = '/v1/sdk/stream',
  ) => {
    const client = await openSse(`${server.url}${path}`, {
      authorization: `Bearer ${secret}`,
      ...headers,
    })
    open.push(client)
    return client
  }
  const patches = (client: SseClient): StreamPatch[] =>
    client.events
      .filter((e) => e.event === 'patch')
      .map((e) => {
        const parsed = parseStreamPatch(JSON.parse(e.data))
        if (!parsed.success) throw new Error(`invalid patch ${e.data}`)
        return parsed.data
      })
  const kill = (key: string, env = 'production') =>
    admin('POST', `/v1/admin/environments/${env}/flags/${key}/kill`, { reason: 'test' })

  it('should put the snapshot on connect, then chain a patch per change, with heartbeats', async () => {
    await start({ heartbeatMs: 30 })
    await admin('POST', '/v1/admin/flags', { key: 'a', kind: 'boolean' })
    const { secret } = await token('server')
    const client = await stream(secret)
    expect(client.status).toBe(200)
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    const put = await client.waitFor((e) => e.event === 'put')
    expect(put.id).toBe('1')
    const snapshot = parseSnapshot(JSON.parse(put.data))
    expect(snapshot.success && snapshot.data.version).toBe(1)
    await admin('POST', '/v1/admin/environments/production/flags/a/rollout', { percent: 10 })
    await kill('a')
    await admin('PUT', '/v1/admin/environments/production/segments/s', { conditions: [] })
    await client.waitFor((e) => e.id === '4')
    expect(patches(client).map((p) => [p.type, p.previousVersion, p.version])).toEqual([
      ['flag', 1, 2],
      ['flag', 2, 3],
      ['segment', 3, 4],
    ])
    expect(patches(client)[1]).toMatchObject({ key: 'a', flag: { killed: true, version: 3 } })
    await admin('POST', '/v1/admin/environments/staging/flags/a/rollout', { percent: 10 })
    await new Promise((r) => setTimeout(r, 100))
    expect(patches(client)).toHaveLength(3)
    expect(client.comments).toContain('heartbeat')
  })

  it('should send the stream without chunked encoding, delimited by the connection close', async () => {
    await start()
    const { secret } = await token('client')
    const client = await stream(secret, { origin: 'https://app.example' })
    expect(client.headers.connection).toBe('close')
    expect(client.headers['transfer-encoding']).toBeUndefined()
    expect(client.headers['content-length']).toBeUndefined()
    expect(client.headers['cache-control']).toBe('no-cache, no-transform')
    expect(client.headers['access-control-allow-origin']).toBe('*')
    await client.waitFor((e) => e.event === 'put')
  })

  it('should answer HEAD on a stream with 405 and Allow: GET', async () => {
    await start()
    const { secret } = await token('server')
    for (const [path, bearer] of [
      ['/v1/sdk/stream', secret],
      ['/v1/admin/stream', server.adminToken ?? ''],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${bearer}` },
      })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET')
    }
    expect(server.app.server.listening).toBe(true)
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { streams: number }
    expect(ready.streams).toBe(0)
  })

  it('should publish every fan-out on the floodgate:stream.fanout channel', async () => {
    await start()
    await admin('POST', '/v1/admin/flags', { key: 'a', kind: 'boolean' })
    const server3 = await token('server')
    const client1 = await token('client')
    const clients = [
      ...(await Promise.all([1, 2, 3].map(() => stream(server3.secret)))),
      await stream(client1.secret),
    ]
    await Promise.all(clients.map((c) => c.waitFor((e) => e.event === 'put')))
    const messages: FanoutMessage[] = []
    const listener = (message: unknown) => messages.push(message as FanoutMessage)
    subscribe(FANOUT_CHANNEL, listener)
    try {
      await kill('a')
      const patch = await clients[0]?.waitFor((e) => e.event === 'patch')
      expect(messages).toEqual([
        {
          environment: 'production',
          audience: 'server',
          event: 'patch',
          version: Number(patch?.id),
          streams: 3,
          bytes: expect.any(Number),
          startedAt: expect.any(Number),
          durationMs: expect.any(Number),
        },
      ])
      expect(messages[0]?.bytes).toBeGreaterThan(patch?.data.length ?? 0)
    } finally {
      unsubscribe(FANOUT_CHANNEL, listener)
    }
  })

  it('should give every stream a heartbeat when they go out in slices', async () => {
    await start({ heartbeatMs: 400 })
    const { secret } = await token('server')
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => stream(secret)))
    await vi.waitFor(
      () => {
        for (const client of clients) expect(client.comments).toContain('heartbeat')
      },
      { timeout: 5000 },
    )
  })

  it('should never show a client token a flag that is not clientSide, and chain its patches', async () => {
    await start()
    await admin('POST', '/v1/admin/flags', { key: 'browser', kind: 'boolean', clientSide: true })
    await admin('POST', '/v1/admin/flags', { key: 'backend', kind: 'boolean' })
    const { secret } = await token('client')
    const client = await stream(secret)
    const put = JSON.parse((await client.waitFor((e) => e.event === 'put')).data)
    expect(Object.keys(put.flags)).toEqual(['browser'])
    // The client view last changed at version 1 (creating "backend" is invisible to it).
    expect(put.version).toBe(1)
    await kill('backend')
    await kill('browser')
    await admin('PUT', '/v1/admin/flags/browser', { kind: 'boolean', clientSide: false })
    await admin('PUT', '/v1/admin/flags/backend', { kind: 'boolean', clientSide: true })
    await client.waitFor((e) => e.id === '6')
    const seen = patches(client)
    expect(seen.map((p) => [p.previousVersion, p.version, p.key])).toEqual([
      [1, 4, 'browser'],
      [4, 5, 'browser'],
      [5, 6, 'backend'],
    ])
    expect(seen[1]).toMatchObject({ type: 'flag', flag: null })
    expect(seen[2]).toMatchObject({ flag: { key: 'backend', killed: true, clientSide: true } })
    expect(
      client.events.some(
        (e) => e.event === 'patch' && e.data.includes('"backend"') && e.id !== '6',
      ),
    ).toBe(false)
  })

  it('should resume from Last-Event-ID with only the missed patches, or a put when they are gone', async () => {
    await start({ resumeBufferSize: 3 })
    await admin('POST', '/v1/admin/flags', { key: 'a', kind: 'boolean' })
    const { secret } = await token('server')
    for (const percent of [1, 2]) {
      await admin('POST', '/v1/admin/environments/production/flags/a/rollout', { percent })
    }
    const resumed = await stream(secret, { 'last-event-id': '2' })
    await resumed.waitFor((e) => e.id === '3')
    expect(resumed.events.map((e) => [e.event, e.id])).toEqual([['patch', '3']])
    expect(patches(resumed)[0]).toMatchObject({ previousVersion: 2, version: 3 })

    const current = await stream(secret, { 'last-event-id': '3' })
    await new Promise((r) => setTimeout(r, 50))
    expect(current.events).toEqual([])
    expect(current.comments).toContain('connected')

    for (const percent of [3, 4, 5]) {
      await admin('POST', '/v1/admin/environments/production/flags/a/rollout', { percent })
    }
    const tooOld = await stream(secret, { 'last-event-id': '2' })
    const put = await tooOld.waitFor(() => true)
    expect([put.event, put.id]).toEqual(['put', '6'])
    const future = await stream(secret, { 'last-event-id': '99' })
    expect((await future.waitFor(() => true)).event).toBe('put')
  })

  it('should close the open streams of a revoked token at once', async () => {
    await start()
    const revoked = await token('server')
    const kept = await token('server')
    const a = await stream(revoked.secret)
    const b = await stream(kept.secret)
    await a.waitFor((e) => e.event === 'put')
    await admin('DELETE', `/v1/admin/tokens/${revoked.token.id}`)
    await a.ended
    await admin('POST', '/v1/admin/flags', { key: 'after', kind: 'boolean' })
    await b.waitFor((e) => e.event === 'patch')
    expect((await stream(revoked.secret)).status).toBe(401)
  })

  it('should refuse streams beyond the cap with 503 and Retry-After', async () => {
    await start({ maxStreams: 2 })
    const { secret } = await token('server')
    await stream(secret)
    await stream(secret)
    const third = await stream(secret)
    expect(third.status).toBe(503)
    expect(third.headers['retry-after']).toBe('5')
    expect(third.headers['content-type']).toContain('application/problem+json')
  })

  it('should end streams with a retry hint on shutdown and finish in-flight requests', async () => {
    await start({ retryMs: 1234 })
    const { secret } = await token('server')
    const client = await stream(secret)
    await client.waitFor((e) => e.event === 'put')
    const closing = server.close()
    await client.ended
    await closing
    expect(client.retry).toBe(1234)
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
    server = await startServer({ port: 0, db: ':memory:', logger: false })
  })

  it('should not wait on shutdown for a connection that never sent a request', async () => {
    await start()
    const { port } = new URL(server.url)
    const spare = connect(Number(port), '127.0.0.1')
    await new Promise((resolve) => spare.once('connect', resolve))
    const closed = new Promise((resolve) => spare.once('close', resolve))
    // Node would otherwise hold it until its headers timeout (a minute), past the test's timeout.
    await server.close()
    await closed
    expect(spare.destroyed).toBe(true)
    server = await startServer({ port: 0, db: ':memory:', logger: false })
  })

  it('should stream every change to admin streams and catch up after a reconnect', async () => {
    await start()
    const client = await stream(server.adminToken ?? '', {}, '/v1/admin/stream')
    await admin('POST', '/v1/admin/flags', { key: 'a', kind: 'boolean' })
    await kill('a')
    const killed = await client.waitFor(
      (e) => e.event === 'change' && e.data.includes('config.kill'),
    )
    expect(JSON.parse(killed.data)).toMatchObject({
      action: 'config.kill',
      actor: 'admin',
      reason: 'test',
    })
    const first = client.events.find((e) => e.event === 'change')
    const resumed = await stream(
      server.adminToken ?? '',
      { 'last-event-id': first?.id ?? '' },
      '/v1/admin/stream',
    )
    const caughtUp = await resumed.waitFor((e) => e.event === 'change')
    expect(caughtUp.id).toBe(killed.id)
  })

  it('should deliver a kill to 200 concurrent streams within a second', async () => {
    await start()
    await admin('POST', '/v1/admin/flags', { key: 'new-checkout', kind: 'boolean' })
    const { secret } = await token('server')
    const clients = await Promise.all(Array.from({ length: 200 }, () => stream(secret)))
    await Promise.all(clients.map((c) => c.waitFor((e) => e.event === 'put')))
    const started = performance.now()
    await kill('new-checkout')
    const arrivals = await Promise.all(
      clients.map((c) =>
        c
          .waitFor((e) => e.event === 'patch' && e.data.includes('"killed":true'))
          .then(() => performance.now() - started),
      ),
    )
    // A functional bound with a wide margin: propagation takes a few ms; the bound only catches a broken fan-out.
    expect(Math.max(...arrivals)).toBeLessThan(1000)
  })
})
