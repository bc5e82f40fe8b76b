import { FlagSdkError, TransportError } from '@floodgate/core'
import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createClient, type NodeClientOptions, type NodeFlagClient } from './createClient'
import { flag, recordingLogger, snapshotOf } from './testUtils/fixtures'

const URL = 'http://flags.test'
const server = setupServer(
  http.post(`${URL}/v1/sdk/signals`, () => HttpResponse.json({}, { status: 202 })),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const clients: NodeFlagClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

const bootstrap = snapshotOf([flag('checkout', true)], 1)
function client(options: Partial<NodeClientOptions> = {}) {
  const logger = recordingLogger()
  const flags = createClient({
    url: URL,
    token: 'fg_server_test',
    closeOnShutdown: false,
    logger,
    transport: { reconnect: { initialMs: 1, maxMs: 5 }, fetchRetries: 1 },
    ...options,
  })
  clients.push(flags)
  return { flags, logger }
}
const sse = (text: string) =>
  new HttpResponse(text, { headers: { 'content-type': 'text/event-stream' } })

describe('createClient', () => {
  it('should reject options it cannot work with', () => {
    expect(() => createClient({ url: URL })).toThrow(FlagSdkError)
    expect(() => createClient({ url: URL })).toThrow(/`token` is required/)
    expect(() => createClient({})).toThrow(/bootstrap/)
  })

  it('should evaluate offline from a bootstrap snapshot without any network', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    const flags = createClient({ bootstrap, closeOnShutdown: false })
    expect(await flags.ready()).toEqual({ status: 'ready', version: 1 })
    expect(flags.isEnabled('checkout', { userId: 'u' })).toBe(true)
    flags.recordError('checkout', new Error('x'), { userId: 'u' })
    await flags.close()
    expect(fetchSpy).not.toHaveBeenCalled()
    fetchSpy.mockRestore()
  })

  describe.each([
    {
      name: 'a 500',
      streaming: false,
      code: 'http',
      respond: () => new HttpResponse(null, { status: 500 }),
    },
    {
      name: 'a timeout',
      streaming: false,
      code: 'timeout',
      respond: async () => {
        await delay(400)
        return HttpResponse.json(snapshotOf([], 9))
      },
    },
    {
      name: 'malformed JSON',
      streaming: false,
      code: 'invalid_response',
      respond: () =>
        new HttpResponse('{"flags": ', { headers: { 'content-type': 'application/json' } }),
    },
    {
      name: 'a 401',
      streaming: false,
      code: 'unauthorized',
      respond: () => new HttpResponse(null, { status: 401 }),
    },
    {
      name: 'a stream 500',
      streaming: true,
      code: 'http',
      respond: () => new HttpResponse(null, { status: 500 }),
    },
    {
      name: 'a stream 401',
      streaming: true,
      code: 'unauthorized',
      respond: () => new HttpResponse(null, { status: 401 }),
    },
    {
      name: 'malformed SSE',
      streaming: true,
      code: 'invalid_response',
      respond: () => sse('event: put\ndata: {"schemaVersion": 1\n\n'),
    },
    {
      name: 'a dropped stream',
      streaming: true,
      code: 'network',
      respond: () => HttpResponse.error(),
    },
  ])('on $name', ({ streaming, code, respond }) => {
    it('should resolve ready with the error, keep the last good snapshot, and never throw from evaluation', async () => {
      let calls = 0
      server.use(
        http.get(`${URL}/v1/sdk/${streaming ? 'stream' : 'snapshot'}`, () => {
          calls++
          return respond()
        }),
      )
      const { flags, logger } = client({
        bootstrap,
        streaming,
        timeoutMs: 50,
        pollIntervalMs: 60_000,
      })
      const status = await flags.ready({ timeoutMs: 5000 })
      expect(status).toMatchObject({ status: 'stale', version: 1 })
      const error = status.status === 'stale' ? status.error : undefined
      expect(error).toBeInstanceOf(TransportError)
      expect(error?.code).toBe(code)
      expect(logger.warnings.length).toBeGreaterThan(0)
      if (code === 'unauthorized') expect(calls).toBe(1)
      expect(flags.isEnabled('checkout', { userId: 'u' })).toBe(true)
      expect(flags.isEnabled('missing')).toBe(false)
      expect(flags.getValue('checkout', 'wrong type')).toBe('wrong type')
      expect(() => flags.isEnabled('checkout', { userId: Symbol('x') as never })).not.toThrow()
    })
  })

  it('should wait for a slow server, and give up waiting at timeoutMs without rejecting', async () => {
    server.use(
      http.get(`${URL}/v1/sdk/snapshot`, async () => {
        await delay(150)
        return HttpResponse.json(snapshotOf([flag('checkout', false)], 4), {
          headers: { etag: '"4"' },
        })
      }),
    )
    const impatient = client({ streaming: false }).flags
    expect(await impatient.ready({ timeoutMs: 10 })).toEqual({ status: 'loading' })
    expect(impatient.isEnabled('checkout')).toBe(false)
    const patient = client({ streaming: false }).flags
    expect(await patient.ready({ timeoutMs: 5000 })).toEqual({ status: 'ready', version: 4 })
  })

  it('should close idempotently, flushing signals once', async () => {
    let posts = 0
    server.use(
      http.get(`${URL}/v1/sdk/snapshot`, () => HttpResponse.json(bootstrap)),
      http.post(`${URL}/v1/sdk/signals`, () => {
        posts++
        return HttpResponse.json({}, { status: 202 })
      }),
    )
    const { flags } = client({ streaming: false })
    await flags.ready()
    flags.isEnabled('checkout', { userId: 'u' })
    await Promise.all([flags.close(), flags.close()])
    await flags.close()
    expect(posts).toBe(1)
  })
})
