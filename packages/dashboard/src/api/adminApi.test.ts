import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AdminApi } from './adminApi'
import { ApiError } from './apiError'

const BASE = 'http://floodgate.test'
const mock = setupServer()

describe('AdminApi', () => {
  beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => mock.resetHandlers())
  afterAll(() => mock.close())

  const api = new AdminApi({ baseUrl: BASE, token: 'fg_admin_test' })

  it("should throw the server's problem details with their code and paths", async () => {
    mock.use(
      http.post(`${BASE}/v1/admin/flags`, () =>
        HttpResponse.json(
          {
            type: 'urn:floodgate:problem:invalid_request',
            title: 'Bad Request',
            status: 400,
            detail: 'invalid body: /key must match',
            code: 'invalid_request',
            errors: [{ path: '/key', message: 'must match' }],
          },
          { status: 400, headers: { 'content-type': 'application/problem+json' } },
        ),
      ),
    )
    const error = await api.createFlag({ key: 'Bad', kind: 'boolean' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: 'invalid body: /key must match',
    })
    expect((error as ApiError).errorsAt('/key')).toEqual([{ path: '/key', message: 'must match' }])
  })

  it('should say what happened when the answer is not a problem (a proxy error page)', async () => {
    mock.use(
      http.get(
        `${BASE}/v1/admin/flags`,
        () => new HttpResponse('<html>Bad gateway</html>', { status: 502 }),
      ),
    )
    await expect(api.listFlags()).rejects.toMatchObject({ status: 502, code: 'http_502' })
  })

  it('should report a server that cannot be reached as a network error', async () => {
    mock.use(http.get(`${BASE}/v1/admin/flags`, () => HttpResponse.error()))
    const error = await api.listFlags().catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 0, code: 'network_error' })
    expect((error as Error).message).toMatch(/could not be reached/)
  })

  it('should send the token, If-Match and no rollout reference when replacing a configuration', async () => {
    let seen: { headers: Headers; body: unknown } | undefined
    mock.use(
      http.put(`${BASE}/v1/admin/environments/production/flags/a`, async ({ request }) => {
        seen = { headers: request.headers, body: await request.json() }
        return HttpResponse.json({ version: 4 })
      }),
    )
    await api.putConfig(
      'production',
      'a',
      {
        enabled: true,
        killed: false,
        rules: [],
        fallthrough: { variant: 'on' },
        rollout: { id: 'r_1', stage: 0, treatment: 'on', control: 'off' },
      },
      3,
    )
    expect(seen?.headers.get('authorization')).toBe('Bearer fg_admin_test')
    expect(seen?.headers.get('if-match')).toBe('"3"')
    expect(seen?.body).toEqual({
      enabled: true,
      killed: false,
      rules: [],
      fallthrough: { variant: 'on' },
    })
  })

  it('should answer null for a flag that never had a rollout', async () => {
    mock.use(
      http.get(`${BASE}/v1/admin/environments/production/flags/a/rollouts/current`, () =>
        HttpResponse.json(
          { status: 404, code: 'not_found', detail: 'flag "a" has no rollout in production' },
          { status: 404 },
        ),
      ),
    )
    expect(await api.currentRollout('production', 'a')).toBeNull()
  })
})
