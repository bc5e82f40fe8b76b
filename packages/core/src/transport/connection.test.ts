import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { TransportError } from '../errors'
import { FlagClient } from '../flagClient'
import type { Snapshot, StreamPatch } from '../schemas'
import { booleanFlag, snapshotOf } from '../testUtils/fixtures'
import { sseBody } from '../testUtils/sseBody'
import { Connection, type ConnectionOptions } from './connection'

const URL = 'http://flags.test'
/** Signals are accepted unless a test says otherwise (every connection flushes on close). */
const server = setupServer(
  http.post(`${URL}/v1/sdk/signals`, () => HttpResponse.json({}, { status: 202 })),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const open: Connection[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()))
})

const checkout = (version: number, on: boolean) =>
  booleanFlag({ key: 'checkout', version, fallthrough: { variant: on ? 'on' : 'off' } })
const snapshot = (version: number, on = true): Snapshot =>
  snapshotOf([checkout(version, on)], { version })
const patch = (previousVersion: number, version: number, on: boolean): StreamPatch => ({
  type: 'flag',
  key: 'checkout',
  previousVersion,
  version,
  flag: checkout(version, on),
})

/** Serves streams the test drives: `streams[i]` is the i-th connection. */
function streamHandler() {
  const streams: ReturnType<typeof sseBody>[] = []
  const lastEventIds: (string | null)[] = []
  const handler = http.get(`${URL}/v1/sdk/stream`, ({ request }) => {
    const stream = sseBody()
    streams.push(stream)
    lastEventIds.push(request.headers.get('last-event-id'))
    return stream.response()
  })
  return { handler, streams, lastEventIds }
}

function connect(client: FlagClient, options: Partial<ConnectionOptions> = {}) {
  const logger = { warn: vi.fn(), error: vi.fn() }
  const connection = new Connection(client, {
    url: URL,
    token: 'fg_server_test',
    reconnect: { initialMs: 1, maxMs: 5 },
    signalsIntervalMs: 60_000,
    logger,
    ...options,
  })
  open.push(connection)
  return { connection: connection.start(), logger }
}

function errors(client: FlagClient): TransportError[] {
  const seen: TransportError[] = []
  client.on('error', ({ error }) => {
    if (error instanceof TransportError) seen.push(error)
  })
  return seen
}

describe('Connection', () => {
  describe('polling', () => {
    it('should send the ETag back and take a 304 as current', async () => {
      const tags: (string | null)[] = []
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, ({ request }) => {
          tags.push(request.headers.get('if-none-match'))
          expect(request.headers.get('authorization')).toBe('Bearer fg_server_test')
          if (request.headers.get('if-none-match') === '"3"')
            return new HttpResponse(null, { status: 304 })
          return HttpResponse.json(snapshot(3), { headers: { etag: '"3"' } })
        }),
      )
      const client = new FlagClient()
      const { connection } = connect(client, { streaming: false, pollIntervalMs: 5 })
      await connection.firstSync
      await vi.waitFor(() => expect(tags.length).toBeGreaterThanOrEqual(3))
      expect(tags.slice(0, 3)).toEqual([null, '"3"', '"3"'])
      expect(client.getStatus()).toEqual({ status: 'ready', version: 3 })
      expect(connection.mode).toBe('polling')
    })

    it('should retry 5xx and keep serving the last good snapshot when every attempt fails', async () => {
      let calls = 0
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, () => {
          calls++
          return HttpResponse.json({ status: 500 }, { status: 500 })
        }),
      )
      const client = new FlagClient({ snapshot: snapshot(1) })
      const seen = errors(client)
      const { connection, logger } = connect(client, {
        streaming: false,
        fetchRetries: 2,
        pollIntervalMs: 60_000,
      })
      await connection.firstSync
      expect(calls).toBe(3)
      expect(seen.map((e) => [e.code, e.status])).toEqual([['http', 500]])
      expect(client.getStatus()).toMatchObject({ status: 'stale', version: 1 })
      expect(client.isEnabled('checkout', { userId: 'u' })).toBe(true)
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('answered 500'))
    })

    it('should not retry a 401, and say the token was rejected', async () => {
      let calls = 0
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, () => {
          calls++
          return HttpResponse.json({ status: 401 }, { status: 401 })
        }),
      )
      const client = new FlagClient()
      const { connection } = connect(client, { streaming: false, pollIntervalMs: 60_000 })
      await connection.firstSync
      expect(calls).toBe(1)
      const status = client.getStatus()
      expect(status.status).toBe('error')
      if (status.status !== 'error') return
      expect(status.error).toBeInstanceOf(TransportError)
      expect(status.error.code).toBe('unauthorized')
      expect(status.error.message).toMatch(/rejected the token \(401\)/)
      expect(client.isEnabled('checkout')).toBe(false)
    })

    it('should time out a slow server and keep the snapshot', async () => {
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, async () => {
          await delay(500)
          return HttpResponse.json(snapshot(9))
        }),
      )
      const client = new FlagClient({ snapshot: snapshot(1) })
      const seen = errors(client)
      const { connection } = connect(client, {
        streaming: false,
        timeoutMs: 20,
        fetchRetries: 1,
        pollIntervalMs: 60_000,
      })
      await connection.firstSync
      expect(seen.map((e) => e.code)).toEqual(['timeout'])
      expect(client.getSnapshot()?.version).toBe(1)
    })

    it.each([
      ['malformed JSON', () => new HttpResponse('{"schemaVersion": 1,', { status: 200 })],
      ['an invalid snapshot', () => HttpResponse.json({ ...snapshot(5), version: -1 })],
    ])('should reject %s and keep the snapshot', async (_name, respond) => {
      server.use(http.get(`${URL}/v1/sdk/snapshot`, respond))
      const client = new FlagClient({ snapshot: snapshot(1) })
      const seen = errors(client)
      const { connection } = connect(client, { streaming: false, pollIntervalMs: 60_000 })
      await connection.firstSync
      expect(seen.map((e) => e.code)).toEqual(['invalid_response'])
      expect(client.getSnapshot()?.version).toBe(1)
      expect(client.isEnabled('checkout', { userId: 'u' })).toBe(true)
    })
  })

  describe('pausePolling', () => {
    it('should poll no more while paused, and at once on resume', async () => {
      let polls = 0
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, () => {
          polls++
          return HttpResponse.json(snapshot(polls))
        }),
      )
      const client = new FlagClient()
      const { connection } = connect(client, { streaming: false, pollIntervalMs: 5 })
      await vi.waitFor(() => expect(polls).toBeGreaterThanOrEqual(2))
      connection.pausePolling()
      // A poll already under way may still land; after it, none is scheduled.
      await connection.refresh()
      const paused = polls
      await delay(50)
      expect(polls).toBe(paused)
      connection.resumePolling()
      await vi.waitFor(() => expect(polls).toBeGreaterThan(paused + 1))
      expect(client.getStatus()).toMatchObject({ status: 'ready' })
    })
  })

  describe('streaming', () => {
    it('should apply the put and patches, and refetch on a version gap', async () => {
      const { handler, streams } = streamHandler()
      let fetched = 0
      server.use(
        handler,
        http.get(`${URL}/v1/sdk/snapshot`, () => {
          fetched++
          return HttpResponse.json(snapshot(4, true))
        }),
      )
      const client = new FlagClient()
      const { connection } = connect(client)
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(1, true), 1)
      await connection.firstSync
      expect(client.isEnabled('checkout', { userId: 'u' })).toBe(true)
      streams[0]?.event('patch', patch(1, 2, false), 2)
      await vi.waitFor(() => expect(client.getSnapshot()?.version).toBe(2))
      expect(client.isEnabled('checkout', { userId: 'u' })).toBe(false)
      streams[0]?.event('patch', patch(3, 4, true), 4)
      await vi.waitFor(() => expect(client.getSnapshot()?.version).toBe(4))
      expect(fetched).toBe(1)
      expect(client.isEnabled('checkout', { userId: 'u' })).toBe(true)
      expect(client.getStatus()).toEqual({ status: 'ready', version: 4 })
      expect(connection.mode).toBe('streaming')
    })

    it('should reconnect a dropped stream with Last-Event-ID and resume the chain', async () => {
      const { handler, streams, lastEventIds } = streamHandler()
      server.use(handler)
      const client = new FlagClient()
      connect(client)
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(1), 1)
      streams[0]?.end()
      await vi.waitFor(() => expect(streams).toHaveLength(2))
      streams[1]?.event('patch', patch(1, 2, false), 2)
      await vi.waitFor(() => expect(client.getSnapshot()?.version).toBe(2))
      expect(lastEventIds).toEqual([null, '1'])
    })

    it('should take a resume with nothing missed as current: a client the outage made stale is ready again', async () => {
      const { handler, streams, lastEventIds } = streamHandler()
      server.use(handler)
      const client = new FlagClient()
      connect(client)
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(1), 1)
      streams[0]?.send('event: patch\ndata: {\n\n')
      await vi.waitFor(() => expect(streams).toHaveLength(2))
      expect(client.getStatus()).toMatchObject({ status: 'stale', version: 1 })
      const events: string[] = []
      client.subscribe((event) => events.push(event.type))
      streams[1]?.send(': connected\n\n')
      await vi.waitFor(() => expect(client.getStatus()).toEqual({ status: 'ready', version: 1 }))
      expect(events).toEqual(['ready'])
      expect(lastEventIds).toEqual([null, '1'])
    })

    it('should drop a connection that sends a malformed event, keeping the snapshot', async () => {
      const { handler, streams, lastEventIds } = streamHandler()
      server.use(handler)
      const client = new FlagClient()
      const seen = errors(client)
      connect(client)
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(1), 1)
      streams[0]?.send('event: patch\ndata: {"type": "flag", \n\n')
      await vi.waitFor(() => expect(streams).toHaveLength(2))
      streams[1]?.event('patch', { ...patch(1, 2, false), flag: { key: 'checkout' } }, 2)
      await vi.waitFor(() => expect(streams).toHaveLength(3))
      expect(seen.map((e) => e.code)).toEqual(['invalid_response', 'invalid_response'])
      expect(seen[0]?.message).toMatch(/not JSON/)
      expect(lastEventIds).toEqual([null, '1', '1'])
      expect(client.getSnapshot()?.version).toBe(1)
      expect(client.isEnabled('checkout', { userId: 'u' })).toBe(true)
    })

    it('should take a silent stream for dead and reconnect', async () => {
      const { handler, streams } = streamHandler()
      server.use(handler)
      const client = new FlagClient()
      const seen = errors(client)
      connect(client, { heartbeatTimeoutMs: 30 })
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(1), 1)
      await vi.waitFor(() => expect(streams.length).toBeGreaterThanOrEqual(2))
      expect(seen[0]?.code).toBe('timeout')
      expect(seen[0]?.message).toMatch(/silent/)
    })

    it('should honour the retry hint of a server going down', async () => {
      const { handler, streams } = streamHandler()
      server.use(handler)
      const client = new FlagClient()
      const seen = errors(client)
      connect(client)
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(1), 1)
      streams[0]?.send('retry: 20\n\n')
      streams[0]?.end()
      await vi.waitFor(() => expect(streams).toHaveLength(2))
      expect(seen).toEqual([])
    })

    it('should poll while streaming keeps failing, then stream again', async () => {
      const { handler, streams } = streamHandler()
      let streamUp = false
      let polled = 0
      server.use(
        http.get(`${URL}/v1/sdk/stream`, () =>
          streamUp ? undefined : new HttpResponse(null, { status: 503 }),
        ),
        handler,
        http.get(`${URL}/v1/sdk/snapshot`, () => {
          polled++
          return HttpResponse.json(snapshot(7))
        }),
      )
      const client = new FlagClient()
      const { connection } = connect(client, {
        streamFailuresBeforePolling: 2,
        pollIntervalMs: 5,
        streamRetryMs: 20,
      })
      await vi.waitFor(() => expect(polled).toBeGreaterThanOrEqual(2))
      expect(connection.mode).toBe('polling')
      expect(client.getSnapshot()?.version).toBe(7)
      streamUp = true
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(8), 8)
      await vi.waitFor(() => expect(connection.mode).toBe('streaming'))
      const after = polled
      await delay(30)
      expect(polled).toBe(after)
      expect(client.getSnapshot()?.version).toBe(8)
    })
  })

  describe('signals', () => {
    it('should post batches with an id and resend a failed one under the same id', async () => {
      const bodies: { id?: string }[] = []
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, () => HttpResponse.json(snapshot(1))),
        http.post(`${URL}/v1/sdk/signals`, async ({ request }) => {
          bodies.push((await request.json()) as { id?: string })
          return bodies.length === 1
            ? new HttpResponse(null, { status: 503 })
            : HttpResponse.json({ duplicate: false, ignored: [] }, { status: 202 })
        }),
      )
      const client = new FlagClient()
      const { connection } = connect(client, { streaming: false, pollIntervalMs: 60_000 })
      await connection.firstSync
      client.isEnabled('checkout', { userId: 'u' })
      await connection.flushSignals()
      expect(connection.signals.pending).toHaveLength(1)
      await connection.flushSignals()
      expect(connection.signals.pending).toHaveLength(0)
      expect(bodies).toHaveLength(2)
      expect(bodies[1]?.id).toBe(bodies[0]?.id)
    })

    it('should send batches with keepalive when asked, so they outlive the page', async () => {
      const keepalive: boolean[] = []
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, () => HttpResponse.json(snapshot(1))),
        http.post(`${URL}/v1/sdk/signals`, async ({ request }) => {
          keepalive.push(request.keepalive)
          expect(request.headers.get('content-type')).toBe('application/json')
          expect(await request.json()).toMatchObject({ flags: { checkout: {} } })
          return HttpResponse.json({}, { status: 202 })
        }),
      )
      for (const signalsKeepalive of [true, false]) {
        const client = new FlagClient()
        const { connection } = connect(client, {
          streaming: false,
          pollIntervalMs: 60_000,
          signalsKeepalive,
        })
        await connection.firstSync
        client.isEnabled('checkout', { userId: 'u' })
        await connection.flushSignals()
      }
      expect(keepalive).toEqual([true, false])
    })

    it('should flush on close, and close only once', async () => {
      let posts = 0
      server.use(
        http.get(`${URL}/v1/sdk/snapshot`, () => HttpResponse.json(snapshot(1))),
        http.post(`${URL}/v1/sdk/signals`, () => {
          posts++
          return HttpResponse.json({}, { status: 202 })
        }),
      )
      const client = new FlagClient()
      const { connection } = connect(client, { streaming: false, pollIntervalMs: 60_000 })
      await connection.firstSync
      client.isEnabled('checkout', { userId: 'u' })
      await Promise.all([connection.close(), connection.close()])
      await connection.close()
      expect(posts).toBe(1)
      expect(connection.mode).toBe('closed')
    })
  })
})
