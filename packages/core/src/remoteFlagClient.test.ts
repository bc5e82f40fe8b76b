import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { EvaluatedFlag, Evaluation } from './evaluation'
import { RemoteFlagClient, type RemoteFlagClientOptions } from './remoteFlagClient'
import type { SignalsBatch } from './schemas'
import { sseBody } from './testUtils/sseBody'
import type { FlagClientEvent } from './types'
import { unitHash } from './unitHash'

const URL = 'http://flags.test'
/** Signals are accepted unless a test says otherwise (a client flushes them when it stops). */
const server = setupServer(
  http.post(`${URL}/v1/sdk/signals`, () => HttpResponse.json({}, { status: 202 })),
)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

const clients: RemoteFlagClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()))
})

const on = (version = 1): EvaluatedFlag => ({
  version,
  value: true,
  variant: 'on',
  reason: 'SPLIT',
})
const off = (version = 1): EvaluatedFlag => ({
  version,
  value: false,
  variant: 'off',
  reason: 'KILLED',
})
const evaluation = (flags: Record<string, EvaluatedFlag>, version = 1): Evaluation => ({
  schemaVersion: 1,
  environment: 'production',
  version,
  flags,
})
const canary: EvaluatedFlag = {
  version: 4,
  value: true,
  variant: 'on',
  reason: 'SPLIT',
  rollout: {
    id: 'r_1',
    stage: 1,
    treatment: 'on',
    control: 'off',
    controlValue: false,
    localGuard: { minErrors: 3, maxErrorRate: 0.5 },
    unitHash: unitHash('user-1'),
  },
}

function client(options: Partial<RemoteFlagClientOptions> = {}) {
  const logger = { warn: vi.fn(), error: vi.fn() }
  const created = new RemoteFlagClient({
    url: URL,
    token: 'fg_client_test',
    backoff: { initialMs: 1, maxMs: 5 },
    signalsIntervalMs: 60_000,
    logger,
    ...options,
  })
  clients.push(created)
  return Object.assign(created, { warnings: logger.warn })
}

/** Records each evaluation request's body and `If-None-Match`, answering with `answer`. */
function evaluateHandler(answer: (n: number, context: unknown) => Response | Promise<Response>) {
  const requests: { context: unknown; ifNoneMatch: string | null; auth: string | null }[] = []
  const handler = http.post(`${URL}/v1/sdk/evaluate`, async ({ request }) => {
    const { context } = (await request.json()) as { context: unknown }
    requests.push({
      context,
      ifNoneMatch: request.headers.get('if-none-match'),
      auth: request.headers.get('authorization'),
    })
    return answer(requests.length, context)
  })
  return { handler, requests }
}

describe('RemoteFlagClient', () => {
  it('should refuse to be created without a url and a token', () => {
    expect(() => new RemoteFlagClient({ url: '', token: 'x' })).toThrow(/url.*token/)
    expect(() => new RemoteFlagClient({ url: URL, token: '' })).toThrow(/url.*token/)
  })

  it('should serve a bootstrap at once, and never throw on reads', () => {
    const flags = client({
      bootstrap: evaluation({
        checkout: on(),
        theme: { version: 1, value: 'dark', variant: 'dark', reason: 'STATIC' },
        broken: { version: 1, reason: 'ERROR', errorCode: 'PARSE_ERROR', errorMessage: 'bad' },
      }),
    })
    expect(flags.getStatus()).toEqual({ status: 'ready', version: 1 })
    expect(flags.isEnabled('checkout')).toBe(true)
    expect(flags.getValue('theme', 'light')).toBe('dark')
    expect(flags.getDetails('theme', 3)).toMatchObject({ value: 3, errorCode: 'TYPE_MISMATCH' })
    expect(flags.getDetails('missing', false)).toMatchObject({
      value: false,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    })
    expect(flags.getDetails('broken', 'x')).toMatchObject({ value: 'x', errorCode: 'PARSE_ERROR' })
    expect(flags.isEnabled('theme')).toBe(false)
    expect(flags.getVariant('checkout')).toBe('on')
    expect(flags.isEnabled(undefined as unknown as string)).toBe(false)
    expect(Object.keys(flags.allFlags())).toEqual(['checkout', 'theme', 'broken'])
  })

  it('should give the default with PROVIDER_NOT_READY before anything arrived', () => {
    const flags = client()
    expect(flags.getStatus()).toEqual({ status: 'loading' })
    expect(flags.getDetails('checkout', true)).toMatchObject({
      value: true,
      errorCode: 'PROVIDER_NOT_READY',
    })
  })

  it('should poll with its context and token, then revalidate with If-None-Match', async () => {
    const { handler, requests } = evaluateHandler((n) =>
      n === 1
        ? HttpResponse.json(evaluation({ checkout: on() }), { headers: { etag: '"1"' } })
        : new HttpResponse(null, { status: 304 }),
    )
    server.use(handler)
    const flags = client({ streaming: false, pollIntervalMs: 10, context: { userId: 'user-1' } })
    flags.start()
    await flags.ready()
    expect(flags.isEnabled('checkout')).toBe(true)
    await vi.waitFor(() => expect(requests.length).toBeGreaterThanOrEqual(3))
    expect(requests[0]).toEqual({
      context: { userId: 'user-1' },
      ifNoneMatch: null,
      auth: 'Bearer fg_client_test',
    })
    expect(requests[2]?.ifNoneMatch).toBe('"1"')
    expect(flags.getStatus()).toEqual({ status: 'ready', version: 1 })
  })

  it('should keep serving through identify until the new context is evaluated, then change', async () => {
    const { handler, requests } = evaluateHandler(async (_n, context) => {
      const user = (context as { userId?: string }).userId
      if (user === 'user-2') await delay(30)
      return HttpResponse.json(evaluation({ checkout: user === 'user-2' ? off() : on() }), {
        headers: { etag: '"1"' },
      })
    })
    server.use(handler)
    const flags = client({ streaming: false, context: { userId: 'user-1' } })
    const events: FlagClientEvent[] = []
    flags.subscribe((event) => events.push(event))
    flags.start()
    await flags.ready()
    const switching = flags.identify({ userId: 'user-2' })
    expect(flags.isEnabled('checkout')).toBe(true)
    await switching
    expect(flags.isEnabled('checkout')).toBe(false)
    expect(flags.getContext()).toEqual({ userId: 'user-2' })
    // A new context must not send the old context's tag.
    expect(requests[1]).toMatchObject({ context: { userId: 'user-2' }, ifNoneMatch: null })
    expect(events.filter((e) => e.type === 'change')).toEqual([
      { type: 'change', version: 1, flagKeys: ['checkout'] },
    ])
    await flags.identify({ userId: 'user-2', plan: undefined })
    expect(requests).toHaveLength(2)
  })

  it('should retry a failing server with backoff: error first, then ready', async () => {
    const { handler } = evaluateHandler((n) =>
      n < 3
        ? HttpResponse.json({}, { status: 503 })
        : HttpResponse.json(evaluation({ checkout: on() })),
    )
    server.use(handler)
    const flags = client({ streaming: false })
    flags.start()
    await flags.ready()
    expect(flags.getStatus()).toMatchObject({
      status: 'error',
      error: { code: 'http', status: 503 },
    })
    await vi.waitFor(() => expect(flags.getStatus()).toEqual({ status: 'ready', version: 1 }))
    expect(flags.warnings).toHaveBeenCalledTimes(1)
  })

  it('should report a rejected token, a malformed answer and a timeout, changing nothing', async () => {
    const cases: [() => Response | Promise<Response>, string][] = [
      [() => HttpResponse.json({}, { status: 401 }), 'unauthorized'],
      [
        () =>
          HttpResponse.json({
            schemaVersion: 1,
            environment: 'p',
            version: 2,
            flags: { x: { version: 1 } },
          }),
        'invalid_response',
      ],
      [() => new HttpResponse('{"schemaVersion":', { status: 200 }), 'invalid_response'],
      [
        async () => {
          await delay(200)
          return HttpResponse.json(evaluation({ checkout: off() }, 2))
        },
        'timeout',
      ],
    ]
    for (const [answer, code] of cases) {
      server.use(http.post(`${URL}/v1/sdk/evaluate`, answer))
      const flags = client({
        streaming: false,
        timeoutMs: 50,
        backoff: { initialMs: 60_000 },
        bootstrap: evaluation({ checkout: on() }),
      })
      flags.start()
      await flags.ready()
      expect(flags.getStatus(), code).toMatchObject({
        status: 'stale',
        version: 1,
        error: { code },
      })
      expect(flags.isEnabled('checkout')).toBe(true)
      await flags.stop()
    }
  })

  it('should stream a put and patches, reconnecting after a malformed event', async () => {
    const streams: ReturnType<typeof sseBody>[] = []
    const contexts: unknown[] = []
    server.use(
      http.post(`${URL}/v1/sdk/evaluate/stream`, async ({ request }) => {
        contexts.push(((await request.json()) as { context: unknown }).context)
        const stream = sseBody()
        streams.push(stream)
        return stream.response()
      }),
    )
    const flags = client({ context: { userId: 'user-1' } })
    const changes: string[][] = []
    flags.on('change', (event) => changes.push(event.flagKeys))
    flags.start()
    await vi.waitFor(() => expect(streams).toHaveLength(1))
    streams[0]?.event('put', evaluation({ checkout: on(), banner: on() }))
    await flags.ready()
    expect(flags.isEnabled('checkout')).toBe(true)
    streams[0]?.event('patch', { version: 2, flags: { checkout: off(2), banner: null } })
    await vi.waitFor(() => expect(flags.isEnabled('checkout')).toBe(false))
    expect(flags.getEvaluation()?.flags).toEqual({ checkout: off(2) })
    expect(changes).toEqual([['checkout', 'banner']])

    streams[0]?.event('patch', { version: 3, flags: { checkout: { version: 3 } } })
    await vi.waitFor(() => expect(streams).toHaveLength(2))
    expect(flags.getStatus()).toMatchObject({
      status: 'stale',
      error: { code: 'invalid_response' },
    })
    expect(flags.isEnabled('checkout')).toBe(false)
    streams[1]?.event('put', evaluation({ checkout: on(3) }, 3))
    await vi.waitFor(() => expect(flags.getStatus()).toEqual({ status: 'ready', version: 3 }))
    expect(contexts).toEqual([{ userId: 'user-1' }, { userId: 'user-1' }])
  })

  it('should trip the local guard on treatment errors: control served, signals sent at once', async () => {
    const batches: SignalsBatch[] = []
    server.use(
      http.post(`${URL}/v1/sdk/signals`, async ({ request }) => {
        batches.push((await request.json()) as SignalsBatch)
        return HttpResponse.json({}, { status: 202 })
      }),
      http.post(`${URL}/v1/sdk/evaluate`, () =>
        HttpResponse.json(evaluation({ checkout: canary })),
      ),
    )
    const flags = client({ streaming: false, bootstrap: evaluation({ checkout: canary }) })
    const trips: FlagClientEvent[] = []
    flags.on('localGuardTrip', (event) => trips.push(event))
    flags.start()
    expect(flags.getDetails('checkout', false)).toMatchObject({ value: true, variant: 'on' })
    flags.recordSuccess('checkout')
    const revision = flags.getFlagRevision('checkout')
    for (let i = 0; i < 3; i++) flags.recordError('checkout', new Error('render failed'))
    expect(trips).toMatchObject([
      {
        flagKey: 'checkout',
        rolloutId: 'r_1',
        treatment: 'on',
        control: 'off',
        errors: 3,
        successes: 1,
      },
    ])
    expect(flags.getFlagRevision('checkout')).not.toBe(revision)
    expect(flags.getDetails('checkout', true)).toEqual({
      flagKey: 'checkout',
      value: false,
      variant: 'off',
      reason: 'KILLED',
    })
    await vi.waitFor(() => expect(batches).toHaveLength(1))
    expect(batches[0]).toMatchObject({
      tripped: ['checkout'],
      flags: {
        checkout: {
          on: {
            exposures: 1,
            successes: 1,
            errors: 3,
            errorUnits: 1,
            errorUnitHashes: [unitHash('user-1')],
          },
        },
      },
    })
    // The same version of the flag again (a poll) keeps the trip; a newer one resets it.
    flags.setEvaluation(evaluation({ checkout: canary }, 2))
    expect(flags.isEnabled('checkout')).toBe(false)
    flags.setEvaluation(evaluation({ checkout: { ...canary, version: 5 } }, 3))
    expect(flags.isEnabled('checkout')).toBe(true)
  })

  it('should guard a call: its outcome and latency counted for the variant served, what it throws rethrown', async () => {
    const flags = client({ bootstrap: evaluation({ checkout: canary }) })
    expect(flags.guard('checkout', undefined, () => 42)).toBe(42)
    expect(() =>
      flags.guard('checkout', undefined, () => {
        throw new Error('sync')
      }),
    ).toThrow('sync')
    await expect(
      flags.guard('checkout', undefined, () => Promise.reject(new Error('async'))),
    ).rejects.toThrow('async')
    expect(flags.guard('missing', undefined, () => 'ran')).toBe('ran')
    const batch = flags.signals.drain()
    expect(batch?.flags.checkout?.on).toMatchObject({ successes: 1, errors: 2 })
    expect(batch?.flags.checkout?.on?.latencyMs).toBeDefined()
  })

  it('should throw a SchemaError for input that is not an evaluation, changing nothing', () => {
    const flags = client({ bootstrap: evaluation({ checkout: on() }) })
    expect(() => flags.setEvaluationFromJson('{')).toThrow(/invalid evaluation: \/ is not JSON/)
    expect(() => flags.setEvaluationFromJson({ schemaVersion: 2 })).toThrow(
      /invalid evaluation: \/ is not an evaluation/,
    )
    expect(() =>
      flags.applyEvaluationPatchFromJson({
        version: 2,
        flags: { checkout: { ...on(), reason: 'NOPE' } },
      }),
    ).toThrow(/\/flags\/checkout needs a reason/)
    expect(() =>
      flags.applyEvaluationPatchFromJson({
        version: 2,
        flags: { checkout: { version: 2, value: 1, reason: 'STATIC' } },
      }),
    ).toThrow(/both a variant and a value/)
    expect(flags.getEvaluation()).toEqual(evaluation({ checkout: on() }))
  })
})
