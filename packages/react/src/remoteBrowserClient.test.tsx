import {
  type EvaluatedFlag,
  type Evaluation,
  type Logger,
  type SignalsBatch,
  unitHash,
} from '@floodgate/core'
import { act, render, screen } from '@testing-library/react'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { StrictMode } from 'react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
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
import { FlagProvider } from './FlagProvider'
import { createRemoteBrowserClient, type RemoteBrowserClient } from './remoteBrowserClient'
import { App, setVisibility, sseStream } from './testUtils/page'
import { quietRenderErrors } from './testUtils/quiet'

const URL = 'http://flags.test'
const TOKEN = 'fg_client_test0001'
const CACHE_KEY = `floodgate:evaluation:${URL}:${TOKEN.slice(-8)}`

const server = setupServer(
  http.post(`${URL}/v1/sdk/signals`, () => HttpResponse.json({}, { status: 202 })),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const clients: RemoteBrowserClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()))
  localStorage.clear()
  setVisibility('visible')
})

let logger: { warn: Mock<Logger['warn']>; error: Mock<Logger['error']> }
beforeEach(() => {
  logger = { warn: vi.fn<Logger['warn']>(), error: vi.fn<Logger['error']>() }
})

const checkout = (on: boolean, version = 1): EvaluatedFlag =>
  on
    ? { version, value: true, variant: 'on', reason: 'SPLIT' }
    : { version, value: false, variant: 'off', reason: 'KILLED' }
const evaluation = (on: boolean, version = 1, flag = checkout(on, version)): Evaluation => ({
  schemaVersion: 1,
  environment: 'production',
  version,
  flags: { 'new-checkout': flag },
})

/** Every evaluation stream the client opens (with the context it posted), every poll, every signals batch. */
function fakeServer(options: { poll?: () => Evaluation } = {}) {
  const streams: (ReturnType<typeof sseStream> & { context: unknown })[] = []
  const signals: { batch: SignalsBatch; keepalive: boolean; authorization: string | null }[] = []
  let polls = 0
  server.use(
    http.post(`${URL}/v1/sdk/evaluate/stream`, async ({ request }) => {
      const { context } = (await request.json()) as { context: unknown }
      const stream = Object.assign(sseStream(request.signal), { context })
      streams.push(stream)
      return stream.response()
    }),
    http.post(`${URL}/v1/sdk/evaluate`, () => {
      polls++
      return HttpResponse.json(options.poll?.() ?? evaluation(true, polls))
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
    live: () => streams.filter((s) => !s.closed),
    get polls() {
      return polls
    },
  }
}

function track(client: RemoteBrowserClient): RemoteBrowserClient {
  clients.push(client)
  return client
}

describe('FlagProvider options (a remote browser client)', () => {
  it('should stream the evaluation for the provider context: a kill swaps to the fallback', async () => {
    const fake = fakeServer()
    render(
      <FlagProvider
        options={{ url: URL, token: TOKEN, context: { app: 'shop' }, logger }}
        context={{ userId: 'u1' }}
      >
        <App />
      </FlagProvider>,
    )
    expect(screen.getByRole('paragraph').textContent).toBe('legacy checkout')
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1))
    expect(fake.streams[0]?.context).toEqual({ app: 'shop', userId: 'u1' })
    act(() => fake.streams[0]?.event('put', evaluation(true), 1))
    await screen.findByText('new checkout')
    act(() =>
      fake.streams[0]?.event(
        'patch',
        { version: 2, flags: { 'new-checkout': checkout(false, 2) } },
        2,
      ),
    )
    await screen.findByText('legacy checkout')
  })

  it('should re-evaluate for a new provider context, keeping the values until it arrives', async () => {
    const fake = fakeServer()
    const page = (userId: string) => (
      <FlagProvider options={{ url: URL, token: TOKEN, logger }} context={{ userId }}>
        <App />
      </FlagProvider>
    )
    const view = render(page('u1'))
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1))
    act(() => fake.streams[0]?.event('put', evaluation(true), 1))
    await screen.findByText('new checkout')
    view.rerender(page('u1'))
    view.rerender(page('u2'))
    await vi.waitFor(() => expect(fake.streams).toHaveLength(2))
    expect(fake.streams.map((s) => s.context)).toEqual([{ userId: 'u1' }, { userId: 'u2' }])
    await vi.waitFor(() => expect(fake.streams[0]?.closed).toBe(true))
    expect(screen.getByRole('paragraph').textContent).toBe('new checkout')
    act(() => fake.streams[1]?.event('put', evaluation(false), 1))
    await screen.findByText('legacy checkout')
  })

  it('should identify a remote client it was given with the provider context', async () => {
    const fake = fakeServer()
    const client = track(
      createRemoteBrowserClient({ url: URL, token: TOKEN, context: { userId: 'u1' }, logger }),
    )
    render(
      <FlagProvider client={client} context={{ userId: 'u2', plan: 'pro' }}>
        <App />
      </FlagProvider>,
    )
    await vi.waitFor(() => expect(fake.streams).toHaveLength(2))
    expect(fake.streams.map((s) => s.context)).toEqual([
      { userId: 'u1' },
      { userId: 'u2', plan: 'pro' },
    ])
    expect(client.getContext()).toEqual({ userId: 'u2', plan: 'pro' })
    act(() => fake.streams[1]?.event('put', evaluation(true), 1))
    await screen.findByText('new checkout')
  })

  it('should report a render error with keepalive once the page is hidden, and trip the local guard', async () => {
    const fake = fakeServer()
    const canary = {
      ...checkout(true, 3),
      rollout: {
        id: 'r_1',
        stage: 1,
        treatment: 'on',
        control: 'off',
        controlValue: false,
        localGuard: { minErrors: 1, maxErrorRate: 0.5 },
        unitHash: unitHash('u1'),
      },
    }
    const quiet = quietRenderErrors()
    try {
      render(
        <FlagProvider
          options={{
            url: URL,
            token: TOKEN,
            signalsIntervalMs: 60_000,
            bootstrap: evaluation(true, 3, canary),
            logger,
          }}
        >
          <App broken />
        </FlagProvider>,
      )
    } finally {
      quiet.restore()
    }
    expect(screen.getByRole('paragraph').textContent).toBe('legacy checkout')
    setVisibility('hidden')
    await vi.waitFor(() => expect(fake.signals).toHaveLength(1))
    const [sent] = fake.signals
    expect(sent?.keepalive).toBe(true)
    expect(sent?.authorization).toBe(`Bearer ${TOKEN}`)
    expect(sent?.batch.sdk.name).toBe('@floodgate/react')
    expect(sent?.batch.tripped).toEqual(['new-checkout'])
    expect(sent?.batch.flags['new-checkout']?.on).toMatchObject({ errors: 1, errorUnits: 1 })
  })

  it('should hydrate a server render from the bootstrap, not a newer cache, then stream', async () => {
    const fake = fakeServer()
    localStorage.setItem(
      CACHE_KEY,
      JSON.stringify({ context: {}, evaluation: evaluation(false, 9) }),
    )
    const options = { url: URL, token: TOKEN, bootstrap: evaluation(true, 8), logger }
    const page = (
      <FlagProvider options={options}>
        <App />
      </FlagProvider>
    )
    const html = renderToString(page)
    expect(html).toContain('new checkout')
    expect(fake.streams).toHaveLength(0)
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const recoverable = vi.fn()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    let root: Root | undefined
    try {
      await act(async () => {
        root = hydrateRoot(container, page, { onRecoverableError: recoverable })
      })
      expect([...recoverable.mock.calls, ...consoleError.mock.calls]).toEqual([])
    } finally {
      consoleError.mockRestore()
    }
    expect(container.textContent).toBe('new checkout')
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1))
    act(() => fake.streams[0]?.event('put', evaluation(false, 10), 10))
    await vi.waitFor(() => expect(container.textContent).toBe('legacy checkout'))
    act(() => root?.unmount())
    container.remove()
  })

  it('should reconnect after a strict-mode remount, and close the stream on unmount', async () => {
    const fake = fakeServer()
    const view = render(
      <StrictMode>
        <FlagProvider options={{ url: URL, token: TOKEN, logger }}>
          <App />
        </FlagProvider>
      </StrictMode>,
    )
    await vi.waitFor(() => expect(fake.live()).toHaveLength(1))
    act(() => fake.live()[0]?.event('put', evaluation(true), 1))
    await screen.findByText('new checkout')
    view.unmount()
    await vi.waitFor(() => expect(fake.live()).toHaveLength(0))
  })
})

describe('createRemoteBrowserClient', () => {
  it('should serve the cached evaluation of the same context at once while the server is down', async () => {
    server.use(
      http.post(`${URL}/v1/sdk/evaluate/stream`, () => HttpResponse.error()),
      http.post(`${URL}/v1/sdk/signals`, () => HttpResponse.error()),
    )
    localStorage.setItem(
      CACHE_KEY,
      JSON.stringify({ context: { userId: 'u1' }, evaluation: evaluation(true, 7) }),
    )
    const same = track(
      createRemoteBrowserClient({ url: URL, token: TOKEN, context: { userId: 'u1' }, logger }),
    )
    expect(same.getStatus()).toEqual({ status: 'ready', version: 7 })
    expect(same.isEnabled('new-checkout')).toBe(true)
    await same.ready()
    expect(same.getStatus()).toMatchObject({ status: 'stale', version: 7 })
    // Another user on the same page must not get the first one's flags.
    const other = track(
      createRemoteBrowserClient({ url: URL, token: TOKEN, context: { userId: 'u2' }, logger }),
    )
    expect(other.getStatus()).toEqual({ status: 'loading' })
    await other.ready()
    expect(other.getStatus()).toMatchObject({ status: 'error', error: { code: 'network' } })
  })

  it.each([
    ['not JSON', '{"context": {}, '],
    [
      'not an evaluation',
      JSON.stringify({ context: {}, evaluation: { schemaVersion: 1, flags: [] } }),
    ],
    ['without its context', JSON.stringify({ evaluation: evaluation(true) })],
  ])(
    'should ignore and remove a cache that is %s, then cache what the server sends',
    async (_, text) => {
      const fake = fakeServer()
      localStorage.setItem(CACHE_KEY, text)
      const client = track(
        createRemoteBrowserClient({ url: URL, token: TOKEN, context: { userId: 'u1' }, logger }),
      )
      expect(client.getStatus()).toEqual({ status: 'loading' })
      expect(localStorage.getItem(CACHE_KEY)).toBeNull()
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining(`"${CACHE_KEY}"`))
      await vi.waitFor(() => expect(fake.streams).toHaveLength(1))
      fake.streams[0]?.event('put', evaluation(true, 3), 3)
      await vi.waitFor(() => expect(client.getStatus()).toEqual({ status: 'ready', version: 3 }))
      expect(JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null')).toEqual({
        context: { userId: 'u1' },
        evaluation: evaluation(true, 3),
      })
    },
  )

  it('should cache the evaluation for a new context even when no flag changed, never the old one under it', async () => {
    const fake = fakeServer()
    const client = track(
      createRemoteBrowserClient({ url: URL, token: TOKEN, context: { userId: 'u1' }, logger }),
    )
    await vi.waitFor(() => expect(fake.streams).toHaveLength(1))
    fake.streams[0]?.event('put', evaluation(true, 3), 3)
    await client.ready()
    const cached = () => JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null')
    const identified = client.identify({ userId: 'u2' })
    await vi.waitFor(() => expect(fake.live()).toHaveLength(1))
    expect(fake.live()[0]?.context).toEqual({ userId: 'u2' })
    // The first user's flags stay cached under the first user while the second's are on their way.
    expect(cached()).toEqual({ context: { userId: 'u1' }, evaluation: evaluation(true, 3) })
    fake.live()[0]?.event('put', evaluation(true, 3), 3)
    await identified
    expect(cached()).toEqual({ context: { userId: 'u2' }, evaluation: evaluation(true, 3) })

    server.use(http.post(`${URL}/v1/sdk/evaluate/stream`, () => HttpResponse.error()))
    await client.identify({ userId: 'u3' })
    expect(client.getContext()).toEqual({ userId: 'u3' })
    expect(cached()).toEqual({ context: { userId: 'u2' }, evaluation: evaluation(true, 3) })
  })

  it('should pause polling while the page is hidden and poll at once when it is shown', async () => {
    const fake = fakeServer()
    const client = track(
      createRemoteBrowserClient({
        url: URL,
        token: TOKEN,
        streaming: false,
        pollIntervalMs: 5,
        logger,
      }),
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

  it('should reject missing options with a typed error', () => {
    expect(() => createRemoteBrowserClient({ url: URL, token: '' })).toThrow(/client token/)
  })
})
