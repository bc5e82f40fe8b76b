import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer } from '../testUtils/testServer'
import { AdminApi } from './adminApi'
import { type AdminEvent, AdminEvents } from './adminEvents'

const BASE = 'http://floodgate.test'

/** Resolves with the first event `events` hears that `match` accepts. */
function next(events: AdminEvents, match: (event: AdminEvent) => boolean): Promise<AdminEvent> {
  return new Promise((resolve) => {
    const stop = events.subscribe((event) => {
      if (!match(event)) return
      stop()
      resolve(event)
    })
  })
}

describe('AdminEvents', () => {
  it('should deliver every committed change of the real server as it commits', async () => {
    const s = await startTestServer()
    const events = new AdminEvents(new AdminApi({ baseUrl: s.url, token: s.admin }))
    try {
      const created = next(events, (e) => e.type === 'change' && e.entry.action === 'flag.create')
      events.start()
      await s.call('POST', '/v1/admin/flags', { key: 'live', kind: 'boolean' })
      expect(await created).toMatchObject({
        type: 'change',
        entry: { resourceKey: 'live', actor: 'admin' },
      })
      expect(events.getStatus()).toEqual({ status: 'live' })
    } finally {
      events.stop()
      await s.close()
    }
  })

  describe('against a stream that drops', () => {
    const mock = setupServer()
    beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }))
    afterEach(() => mock.resetHandlers())
    afterAll(() => mock.close())

    it('should reconnect and resume from the last event id it saw', async () => {
      const asked: (string | null)[] = []
      mock.use(
        http.get(`${BASE}/v1/admin/stream`, ({ request }) => {
          asked.push(request.headers.get('last-event-id'))
          const id = asked.length === 1 ? 7 : 8
          const frame = `event: change\nid: ${id}\ndata: ${JSON.stringify({ id, action: 'config.kill', resourceKey: 'a' })}\n\n`
          return new HttpResponse(frame, { headers: { 'content-type': 'text/event-stream' } })
        }),
      )
      const events = new AdminEvents(new AdminApi({ baseUrl: BASE, token: 'fg_admin_test' }), {
        minDelayMs: 1,
      })
      const second = next(events, (e) => e.type === 'change' && e.entry.id === 8)
      events.start()
      await second
      events.stop()
      expect(asked.slice(0, 2)).toEqual([null, '7'])
    })

    it('should stop, and say so, when the token is refused', async () => {
      mock.use(
        http.get(`${BASE}/v1/admin/stream`, () =>
          HttpResponse.json({ code: 'invalid_token' }, { status: 401 }),
        ),
      )
      const events = new AdminEvents(new AdminApi({ baseUrl: BASE, token: 'fg_admin_revoked' }), {
        minDelayMs: 1,
      })
      const refused = new Promise<void>((resolve) =>
        events.subscribeStatus(() => {
          if (events.getStatus().status === 'refused') resolve()
        }),
      )
      events.start()
      await refused
      expect(events.getStatus()).toEqual({ status: 'refused', detail: 'the server answered 401' })
    })
  })
})
