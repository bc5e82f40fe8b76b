import type { Logger, SignalsBatch, Snapshot } from '@floodgate/core'
import { act, render, screen } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type Mock,
  vi,
} from 'vitest'
import { BrowserFlagClient, createBrowserClient } from './browserClient'
import { FlagProvider } from './FlagProvider'
import { booleanFlag, patch, snapshotOf } from './testUtils/fixtures'
import { App, setVisibility, sseStream } from './testUtils/page'
import { quietRenderErrors } from './testUtils/quiet'

const URL = 'http://flags.test'
const TOKEN = 'fg_client_test0001'
const CACHE_KEY = `floodgate:snapshot:${URL}:${TOKEN.slice(-8)}`

/** Signals are accepted unless a test says otherwise (an unmounted provider flushes them). */
const server = setupServer(
  http.post(`${URL}/v1/sdk/signals`, () => HttpResponse.json({}, { status: 202 })),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const clients: BrowserFlagClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()))
  localStorage.clear()
  setVisibility('visible')
})

let logger: { warn: Mock<Logger['warn']>; error: Mock<Logger['error']> }
beforeEach(() => {
  logger = { warn: vi.fn<Logger['warn']>(), error: vi.fn<Logger['error']>() }
})

const checkout = (version: number, on: boolean) =>
  booleanFlag('new-checkout', { version, fallthrough: { variant: on ? 'on' : 'off' } })
const snapshot = (version: number, on = true): Snapshot =>
  snapshotOf([checkout(version, on)], version)

/** Every stream the client opens, and signals batches as the server got them. */
function fakeServer(options: { snapshots?: () => Snapshot } = {}) {
  const streams: ReturnType<typeof sseStream>[] = []
  const signals: { batch: SignalsBatch; keepalive: boolean; authorization: string | null }[] = []
  let polls = 0
  server.use(
    http.get(`${URL}/v1/sdk/stream`, ({ request }) => {
      const stream = sseStream(request.signal)
      streams.push(stream)
      return stream.response()
    }),
    http.get(`${URL}/v1/sdk/snapshot`, () => {
      polls++
      return HttpResponse.json(options.snapshots?.() ?? snapshot(polls))
    }),
    http.post(`${URL}/v1/sdk/signals`, async ({ request }) => {
      signals.push({
        batch: (await request.json()) as SignalsBatch,
        keepalive: request.keepalive,
        authorization: request.headers.get('authorization'),
      })
      return HttpResponse.json({}, { status: 202 })
    }),
  )
  return {
    streams,
    signals,
    get polls() {
      return polls
    },
  }
}

function track(client: BrowserFlagClient): BrowserFlagClient {
  clients.push(client)
  return client
}

describe('createBrowserClient', () => {
  it('should serve the cached snapshot at once when the server cannot be reached', async () => {
    server.use(
      http.get(`${URL}/v1/sdk/stream`, () => HttpResponse.error()),
      http.get(`${URL}/v1/sdk/snapshot`, () => HttpResponse.error()),
      http.post(`${URL}/v1/sdk/signals`, () => HttpResponse.error()),
    )
    localStorage.setItem(CACHE_KEY, JSON.stringify(snapshot(7)))
    const client = track(createBrowserClient({ url: URL, token: TOKEN, logger }))
    expect(client.getStatus()).toEqual({ status: 'ready', version: 7 })
    expect(client.isEnabled('new-checkout')).toBe(true)
    await client.ready()
    expect(client.getStatus()).toMatchObject({ status: 'stale', version: 7 })
    expect(client.isEnabled('new-checkout')).toBe(true)
  })

  it.each([
    ['not JSON', '{"schemaVersion": 1, '],
    ['not a snapshot', JSON.stringify({ schemaVersion: 1, flags: 'none' })],
  ])(
    'should ignore and remove a cache that is %s, then cache what the server sends',
    async (_, text) => {
      const { streams } = fakeServer()
      localStorage.setItem(CACHE_KEY, text)
      const client = track(new BrowserFlagClient({ url: URL, token: TOKEN, logger }))
      expect(client.getStatus()).toEqual({ status: 'loading' })
      expect(localStorage.getItem(CACHE_KEY)).toBeNull()
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining(`"${CACHE_KEY}"`))
      client.start()
      await vi.waitFor(() => expect(streams).toHaveLength(1))
      streams[0]?.event('put', snapshot(3), 3)
      await vi.waitFor(() => expect(client.getStatus()).toEqual({ status: 'ready', version: 3 }))
      expect(JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null')).toEqual(snapshot(3))
    },
  )

  it('should start from a bootstrap rather than the cache, so the first render equals the server one', () => {
    localStorage.setItem(CACHE_KEY, JSON.stringify(snapshot(9, false)))
    const client = new BrowserFlagClient({ url: URL, token: TOKEN, bootstrap: snapshot(8), logger })
    expect(client.getStatus()).toEqual({ status: 'ready', version: 8 })
    expect(client.isEnabled('new-checkout')).toBe(true)
  })

  it('should reject missing options with a typed error', () => {
    expect(() => new BrowserFlagClient({ url: URL, token: '' })).toThrow(/client token/)
  })

  it('should pause polling while the page is hidden and poll at once when it is shown', async () => {
    const fake = fakeServer()
    const client = track(
      createBrowserClient({ url: URL, token: TOKEN, streaming: false, pollIntervalMs: 5, logger }),
    )
    await vi.waitFor(() => expect(fake.polls).toBeGreaterThanOrEqual(2))
    setVisibility('hidden')
    await client.ready()
    await new Promise((resolve) => setTimeout(resolve, 30))
    const hidden = fake.polls
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(fake.polls).toBe(hidden)
    setVisibility('visible')
    await vi.waitFor(() => expect(fake.polls).toBeGreaterThan(hidden + 1))
  })
})

describe('FlagProvider with a local browser client', () => {
  it('should stream into the page: the put renders the new checkout, a kill swaps it for the fallback', async () => {
    const fake = fakeServer()
    render(
      <FlagProvider client={track(createBrowserClient({ url: URL, token: TOKEN, logger }))}>
        <App />
      </FlagProvider>,
    )
    expect(screen.getByRole('paragraph').textContent).toBe('legacy checkout')
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1))
    act(() => fake.streams[0]?.event('put', snapshot(1), 1))
    await screen.findByText('new checkout')
    act(() => fake.streams[0]?.event('patch', patch(2, 'new-checkout', checkout(2, false)), 2))
    await screen.findByText('legacy checkout')
  })

  it('should report a render error as a signal with keepalive and the token once the page is hidden', async () => {
    const fake = fakeServer()
    localStorage.setItem(CACHE_KEY, JSON.stringify(snapshot(1)))
    const quiet = quietRenderErrors()
    try {
      render(
        <FlagProvider
          client={track(
            createBrowserClient({ url: URL, token: TOKEN, signalsIntervalMs: 60_000, logger }),
          )}
        >
          <App broken />
        </FlagProvider>,
      )
    } finally {
      quiet.restore()
    }
    expect(screen.getByRole('paragraph').textContent).toBe('legacy checkout')
    expect(fake.signals).toHaveLength(0)
    setVisibility('hidden')
    await vi.waitFor(() => expect(fake.signals).toHaveLength(1))
    const [sent] = fake.signals
    expect(sent?.keepalive).toBe(true)
    expect(sent?.authorization).toBe(`Bearer ${TOKEN}`)
    expect(sent?.batch.sdk.name).toBe('@floodgate/react')
    expect(sent?.batch.flags['new-checkout']?.on?.errors).toBe(1)
  })
})
