import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqliteStore } from './store/sqliteStore'
import type { Store } from './store/store'
import { createTestServer, type TestServer } from './testUtils/testServer'

interface BadInput {
  name: string
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  body?: unknown
  headers?: Record<string, string>
  status: number
  /** A path the problem's `errors` must name. */
  path?: string
}

const FLAG = '/v1/admin/environments/production/flags/new-checkout'
const CASES: BadInput[] = [
  { name: 'malformed JSON', method: 'POST', url: '/v1/admin/flags', body: '{"key":', status: 400 },
  {
    name: 'a wrong type',
    method: 'POST',
    url: '/v1/admin/flags',
    body: { key: 'x', kind: 5 },
    status: 400,
    path: '/kind',
  },
  { name: 'a missing body', method: 'POST', url: '/v1/admin/flags', status: 400, path: '/' },
  {
    name: 'an invalid flag key in the body',
    method: 'POST',
    url: '/v1/admin/flags',
    body: { key: 'Bad Key', kind: 'boolean' },
    status: 400,
    path: '/key',
  },
  {
    name: 'an invalid flag key in the path',
    method: 'POST',
    url: '/v1/admin/environments/production/flags/Bad_Key/kill',
    body: { reason: 'x' },
    status: 400,
    path: '/key',
  },
  {
    name: 'an invalid environment name',
    method: 'GET',
    url: '/v1/admin/environments/PROD/flags',
    status: 400,
    path: '/env',
  },
  {
    name: 'an unknown field in a configuration',
    method: 'PUT',
    url: FLAG,
    body: { enabled: true, fallthrough: { variant: 'on' }, colour: 'red' },
    status: 400,
    path: '/',
  },
  {
    name: 'an unknown field in a rollout',
    method: 'POST',
    url: `${FLAG}/rollout`,
    body: { percent: 5, speed: 'fast' },
    status: 400,
    path: '/',
  },
  {
    name: 'a percent above 100',
    method: 'POST',
    url: `${FLAG}/rollout`,
    body: { percent: 100.01 },
    status: 400,
    path: '/percent',
  },
  {
    name: 'a negative percent',
    method: 'POST',
    url: `${FLAG}/rollout`,
    body: { percent: -1 },
    status: 400,
    path: '/percent',
  },
  {
    name: 'a percent with three decimals',
    method: 'POST',
    url: `${FLAG}/rollout`,
    body: { percent: 12.345 },
    status: 400,
    path: '/percent',
  },
  {
    name: 'a percent as a string',
    method: 'POST',
    url: `${FLAG}/rollout`,
    body: { percent: '5' },
    status: 400,
    path: '/percent',
  },
  {
    name: 'a rollout to an unknown variant',
    method: 'POST',
    url: `${FLAG}/rollout`,
    body: { percent: 5, treatment: 'blue' },
    status: 400,
    path: '/treatment',
  },
  {
    name: 'a split not summing to 10000',
    method: 'PUT',
    url: FLAG,
    body: { enabled: true, fallthrough: { split: [{ variant: 'on', weight: 10 }] } },
    status: 400,
    path: '/fallthrough/split',
  },
  {
    name: 'a configuration serving an unknown variant',
    method: 'PUT',
    url: FLAG,
    body: { enabled: true, fallthrough: { variant: 'maybe' } },
    status: 400,
    path: '/fallthrough/variant',
  },
  {
    name: 'a stale If-Match',
    method: 'PUT',
    url: FLAG,
    body: { enabled: true, fallthrough: { variant: 'on' } },
    headers: { 'if-match': '"1"' },
    status: 409,
  },
  {
    name: 'a malformed If-Match',
    method: 'PUT',
    url: FLAG,
    body: { enabled: true, fallthrough: { variant: 'on' } },
    headers: { 'if-match': 'v2' },
    status: 400,
  },
  {
    name: 'a kill without a reason',
    method: 'POST',
    url: `${FLAG}/kill`,
    body: {},
    status: 400,
    path: '/reason',
  },
  {
    name: 'a revert to version 0',
    method: 'POST',
    url: `${FLAG}/revert`,
    body: { toVersion: 0 },
    status: 400,
    path: '/toVersion',
  },
  {
    name: 'a revert to a version that never was',
    method: 'POST',
    url: `${FLAG}/revert`,
    body: { toVersion: 99 },
    status: 404,
  },
  {
    name: 'an unknown flag',
    method: 'POST',
    url: '/v1/admin/environments/production/flags/missing/kill',
    body: { reason: 'x' },
    status: 404,
  },
  {
    name: 'an unknown environment',
    method: 'POST',
    url: '/v1/admin/environments/nowhere/flags/new-checkout/rollout',
    body: { percent: 5 },
    status: 404,
  },
  {
    name: 'a duplicate flag',
    method: 'POST',
    url: '/v1/admin/flags',
    body: { key: 'new-checkout', kind: 'boolean' },
    status: 409,
  },
  {
    name: 'a segment referring to a segment',
    method: 'PUT',
    url: '/v1/admin/environments/production/segments/s',
    body: { conditions: [{ attribute: 'a', op: 'inSegment', values: ['t'] }] },
    status: 400,
    path: '/conditions/0/op',
  },
  {
    name: 'a server token without an environment',
    method: 'POST',
    url: '/v1/admin/tokens',
    body: { name: 'x', scope: 'server' },
    status: 400,
    path: '/environment',
  },
  {
    name: 'an unknown audit filter',
    method: 'GET',
    url: '/v1/admin/audit?colour=red',
    status: 400,
    path: '/',
  },
  {
    name: 'an audit limit out of range',
    method: 'GET',
    url: '/v1/admin/audit?limit=5000',
    status: 400,
    path: '/limit',
  },
  {
    name: 'an unsupported content type',
    method: 'POST',
    url: '/v1/admin/flags',
    body: '<flag/>',
    headers: { 'content-type': 'application/xml' },
    status: 415,
  },
  {
    name: 'an oversized body',
    method: 'POST',
    url: '/v1/admin/flags',
    body: { key: 'big', kind: 'boolean', description: 'x'.repeat(9000) },
    status: 413,
  },
  { name: 'an unknown route', method: 'GET', url: '/v1/admin/nothing', status: 404 },
]

describe('errorHandler', () => {
  let s: TestServer
  const state = async () => ({
    environments: (await s.call(s.admin, 'GET', '/v1/admin/environments')).json(),
    config: (await s.call(s.admin, 'GET', FLAG)).json(),
    flags: (await s.call(s.admin, 'GET', '/v1/admin/flags')).json(),
    audit: (await s.call(s.admin, 'GET', '/v1/admin/audit?limit=500')).json().entries.length,
  })

  beforeAll(async () => {
    s = await createTestServer({ bodyLimit: 8192 })
    await s.call(s.admin, 'POST', '/v1/admin/flags', { key: 'new-checkout', kind: 'boolean' })
    await s.call(s.admin, 'POST', `${FLAG}/rollout`, { percent: 5 })
  })
  afterAll(async () => {
    await s.close()
  })

  it.each(CASES)('should answer $name with $status problem+json and change nothing', async (c) => {
    const before = await state()
    const res = await s.call(s.admin, c.method, c.url, c.body, c.headers)
    expect(res.statusCode).toBe(c.status)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const problem = res.json()
    expect(problem).toMatchObject({
      status: c.status,
      title: expect.any(String),
      detail: expect.any(String),
    })
    expect(problem.type).toBe(`urn:floodgate:problem:${problem.code}`)
    if (c.path !== undefined) {
      expect(problem.errors.map((e: { path: string }) => e.path)).toContain(c.path)
    }
    expect(await state()).toEqual(before)
  })

  it('should answer an unexpected failure with a 500 problem that hides its details', async () => {
    const store = await createSqliteStore({ path: ':memory:' })
    const failing: Store = Object.assign(Object.create(store) as Store, {
      listFlags: async () => {
        throw new Error('secret internals')
      },
    })
    const broken = await createTestServer({ store: failing })
    const res = await broken.call(broken.admin, 'GET', '/v1/admin/flags')
    await broken.close()
    await store.close()
    expect(res.statusCode).toBe(500)
    expect(res.json()).toMatchObject({ status: 500, code: 'internal_error' })
    expect(res.body).not.toContain('secret internals')
  })
})
