import { parseSnapshot } from '@floodgate/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createServer } from './app'
import { createSqliteStore } from './store/sqliteStore'
import { createTestServer, type TestServer } from './testUtils/testServer'

const CONFIG = (env: string, key: string, action = '') =>
  `/v1/admin/environments/${env}/flags/${key}${action}`

describe('createServer', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await createTestServer()
  })
  afterEach(async () => {
    await s.close()
  })

  const createFlag = async (body: Record<string, unknown>) => {
    const res = await s.call(s.admin, 'POST', '/v1/admin/flags', body)
    expect(res.statusCode).toBe(201)
    return res.json()
  }

  it('should generate an admin token on the first start only', async () => {
    expect(s.admin).toMatch(/^fg_admin_[A-Za-z0-9_-]{43}$/)
    const again = await createServer({ store: s.store, logger: false })
    expect(again.adminToken).toBeUndefined()
    await again.close()
    const tokens = (await s.call(s.admin, 'GET', '/v1/admin/tokens')).json().tokens
    expect(tokens).toMatchObject([{ name: 'admin', scope: 'admin', environment: null }])
    expect(JSON.stringify(tokens)).not.toContain(s.admin)
  })

  it('should take the admin token from the options instead of generating one', async () => {
    const secret = `fg_admin_${'a'.repeat(40)}`
    const other = await createTestServer({ adminToken: secret })
    expect(other.adminToken).toBeUndefined()
    expect((await other.call(secret, 'GET', '/v1/admin/flags')).statusCode).toBe(200)
    await other.close()
    await expect(createTestServer({ adminToken: 'weak' })).rejects.toThrow(/fg_admin_/)
  })

  it('should create, list, get, update and delete flags', async () => {
    const flag = await createFlag({ key: 'new-checkout', kind: 'boolean', tags: ['web'] })
    expect(flag).toMatchObject({
      key: 'new-checkout',
      variants: { on: true, off: false },
      offVariant: 'off',
      clientSide: false,
      createdBy: 'admin',
    })
    expect((await s.call(s.admin, 'GET', '/v1/admin/flags')).json().flags).toHaveLength(1)
    expect((await s.call(s.admin, 'GET', '/v1/admin/flags/new-checkout')).json()).toEqual(flag)
    const updated = await s.call(s.admin, 'PUT', '/v1/admin/flags/new-checkout', {
      kind: 'boolean',
      description: 'checkout v2',
      clientSide: true,
    })
    expect(updated.statusCode).toBe(200)
    expect(updated.json()).toMatchObject({ description: 'checkout v2', clientSide: true })
    expect((await s.call(s.admin, 'DELETE', '/v1/admin/flags/new-checkout')).statusCode).toBe(204)
    expect((await s.call(s.admin, 'GET', '/v1/admin/flags/new-checkout')).statusCode).toBe(404)
  })

  it('should refuse a definition that removes variants a configuration serves', async () => {
    await createFlag({
      key: 'color',
      kind: 'string',
      variants: { red: 'r', blue: 'b' },
      offVariant: 'red',
    })
    await s.call(s.admin, 'POST', CONFIG('staging', 'color', '/rollout'), {
      percent: 10,
      treatment: 'blue',
    })
    const res = await s.call(s.admin, 'PUT', '/v1/admin/flags/color', {
      kind: 'string',
      variants: { red: 'r', green: 'g' },
      offVariant: 'red',
    })
    expect(res.statusCode).toBe(409)
    expect(res.json().errors).toEqual([
      {
        path: '/environments/staging/fallthrough/split/0/variant',
        message: 'unknown variant "blue"',
      },
    ])
  })

  it('should serve configurations with an ETag and honour If-Match', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    const get = await s.call(s.admin, 'GET', CONFIG('production', 'a'))
    expect(get.headers.etag).toBe('"1"')
    expect(get.json()).toMatchObject({
      version: 1,
      environmentVersion: 1,
      config: { enabled: false },
    })
    const config = { enabled: true, fallthrough: { variant: 'on' } }
    const put = await s.call(s.admin, 'PUT', CONFIG('production', 'a'), config, {
      'if-match': '"1"',
    })
    expect(put.statusCode).toBe(200)
    expect(put.headers.etag).toBe('"2"')
    expect(put.json()).toMatchObject({
      version: 2,
      changed: true,
      config: { enabled: true, killed: false, rules: [] },
    })
    const stale = await s.call(s.admin, 'PUT', CONFIG('production', 'a'), config, {
      'if-match': '"1"',
    })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().code).toBe('stale_version')
    const unconditional = await s.call(s.admin, 'PUT', CONFIG('production', 'a'), config)
    expect(unconditional.json()).toMatchObject({ version: 2, changed: false })
  })

  it('should roll out a percentage as a treatment-first split and keep the hashing attribute', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    const first = await s.call(s.admin, 'POST', CONFIG('production', 'a', '/rollout'), {
      percent: 12.34,
      by: 'instanceId',
    })
    expect(first.json().config).toEqual({
      enabled: true,
      killed: false,
      rules: [],
      fallthrough: {
        split: [
          { variant: 'on', weight: 1234 },
          { variant: 'off', weight: 8766 },
        ],
        by: 'instanceId',
      },
    })
    for (const percent of [0, 100]) {
      const res = await s.call(s.admin, 'POST', CONFIG('production', 'a', '/rollout'), { percent })
      expect(res.json().config.fallthrough).toEqual({
        split: [
          { variant: 'on', weight: percent * 100 },
          { variant: 'off', weight: 10000 - percent * 100 },
        ],
        by: 'instanceId',
      })
    }
  })

  it('should need a treatment for a rollout of a non-boolean flag without a split', async () => {
    await createFlag({
      key: 'c',
      kind: 'string',
      variants: { a: 'a', b: 'b', z: 'z' },
      offVariant: 'z',
    })
    const missing = await s.call(s.admin, 'POST', CONFIG('staging', 'c', '/rollout'), {
      percent: 5,
    })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().errors).toEqual([
      { path: '/treatment', message: 'required for a string flag' },
    ])
    const ok = await s.call(s.admin, 'POST', CONFIG('staging', 'c', '/rollout'), {
      percent: 5,
      treatment: 'a',
    })
    expect(ok.json().config.fallthrough.split).toEqual([
      { variant: 'a', weight: 500 },
      { variant: 'z', weight: 9500 },
    ])
    const next = await s.call(s.admin, 'POST', CONFIG('staging', 'c', '/rollout'), { percent: 50 })
    expect(next.json().config.fallthrough.split[0]).toEqual({ variant: 'a', weight: 5000 })
    const same = await s.call(s.admin, 'POST', CONFIG('staging', 'c', '/rollout'), {
      percent: 5,
      treatment: 'b',
      control: 'b',
    })
    expect(same.statusCode).toBe(400)
  })

  it('should kill, then unkill back to exactly the configuration before', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    const before = (
      await s.call(s.admin, 'POST', CONFIG('production', 'a', '/rollout'), { percent: 25 })
    ).json().config
    const killed = await s.call(s.admin, 'POST', CONFIG('production', 'a', '/kill'), {
      reason: '5xx spike',
    })
    expect(killed.json()).toMatchObject({
      version: 3,
      config: { ...before, killed: true, killReason: '5xx spike' },
    })
    const again = await s.call(s.admin, 'POST', CONFIG('production', 'a', '/kill'), { reason: 'x' })
    expect(again.json()).toMatchObject({ version: 3, changed: false })
    const unkilled = await s.call(s.admin, 'POST', CONFIG('production', 'a', '/unkill'))
    expect(unkilled.json()).toMatchObject({ version: 4, config: before })
    const audit = (
      await s.call(s.admin, 'GET', '/v1/admin/audit?flag=a&env=production&limit=2')
    ).json()
    expect(audit.entries).toMatchObject([
      { action: 'config.unkill', actor: 'admin', before: { killed: true }, after: before },
      { action: 'config.kill', reason: '5xx spike', after: { killed: true } },
    ])
  })

  it('should revert to an earlier version as a new version', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    await s.call(s.admin, 'POST', CONFIG('staging', 'a', '/rollout'), { percent: 10 })
    await s.call(s.admin, 'POST', CONFIG('staging', 'a', '/rollout'), { percent: 60 })
    const reverted = await s.call(s.admin, 'POST', CONFIG('staging', 'a', '/revert'), {
      toVersion: 2,
    })
    expect(reverted.json()).toMatchObject({
      version: 4,
      config: {
        fallthrough: {
          split: [
            { variant: 'on', weight: 1000 },
            { variant: 'off', weight: 9000 },
          ],
        },
      },
    })
    const missing = await s.call(s.admin, 'POST', CONFIG('staging', 'a', '/revert'), {
      toVersion: 9,
    })
    expect(missing.statusCode).toBe(404)
  })

  it('should list the versions of a configuration, newest first and paged', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    await s.call(s.admin, 'POST', CONFIG('staging', 'a', '/rollout'), { percent: 10 })
    await s.call(s.admin, 'POST', CONFIG('staging', 'a', '/kill'), { reason: 'spike' })
    const all = await s.call(s.admin, 'GET', CONFIG('staging', 'a', '/versions'))
    expect(all.statusCode).toBe(200)
    expect(all.json().versions).toMatchObject([
      { version: 3, updatedBy: 'admin', config: { killed: true, killReason: 'spike' } },
      { version: 2, config: { enabled: true, killed: false } },
      { version: 1, config: { enabled: false } },
    ])
    const page = await s.call(s.admin, 'GET', CONFIG('staging', 'a', '/versions?before=3&limit=1'))
    expect(page.json().versions.map((v: { version: number }) => v.version)).toEqual([2])
    const bad = await s.call(s.admin, 'GET', CONFIG('staging', 'a', '/versions?limit=0'))
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].path).toBe('/limit')
    expect((await s.call(s.admin, 'GET', CONFIG('staging', 'nope', '/versions'))).statusCode).toBe(
      404,
    )
    expect((await s.call(s.admin, 'GET', CONFIG('qa', 'a', '/versions'))).statusCode).toBe(404)
  })

  it('should manage segments and check that configurations refer to existing ones', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    const rule = {
      conditions: [{ attribute: 'email', op: 'inSegment', values: ['staff'] }],
      serve: { variant: 'on' },
    }
    const config = { enabled: true, rules: [rule], fallthrough: { variant: 'off' } }
    const unknown = await s.call(s.admin, 'PUT', CONFIG('production', 'a'), config)
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().errors).toEqual([
      { path: '/rules/0/conditions/0/values/0', message: 'unknown segment "staff"' },
    ])
    const segment = { conditions: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }] }
    const url = '/v1/admin/environments/production/segments/staff'
    expect((await s.call(s.admin, 'PUT', url, segment)).statusCode).toBe(201)
    expect((await s.call(s.admin, 'PUT', url, segment)).statusCode).toBe(200)
    expect((await s.call(s.admin, 'GET', url)).json()).toMatchObject({ key: 'staff', segment })
    expect(
      (await s.call(s.admin, 'GET', '/v1/admin/environments/production/segments')).json().segments,
    ).toHaveLength(1)
    expect((await s.call(s.admin, 'PUT', CONFIG('production', 'a'), config)).statusCode).toBe(200)
    const inUse = await s.call(s.admin, 'DELETE', url)
    expect(inUse.statusCode).toBe(409)
    expect(inUse.json().detail).toContain('"a"')
  })

  it('should list environments and create new ones holding every flag', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    const created = await s.call(s.admin, 'POST', '/v1/admin/environments', { name: 'qa' })
    expect(created.statusCode).toBe(201)
    const names = (await s.call(s.admin, 'GET', '/v1/admin/environments'))
      .json()
      .environments.map((e: { name: string }) => e.name)
    expect(names).toEqual(['development', 'production', 'qa', 'staging'])
    const flags = (await s.call(s.admin, 'GET', '/v1/admin/environments/qa/flags')).json()
    expect(flags).toMatchObject({
      environment: 'qa',
      version: 1,
      flags: [{ flagKey: 'a', version: 1 }],
    })
  })

  it('should create tokens whose secret is shown once, and revoke them', async () => {
    const created = await s.call(s.admin, 'POST', '/v1/admin/tokens', {
      name: 'web',
      scope: 'client',
      environment: 'production',
    })
    expect(created.statusCode).toBe(201)
    const { token, secret } = created.json()
    expect(secret).toMatch(/^fg_client_/)
    expect(token).toMatchObject({
      name: 'web',
      scope: 'client',
      environment: 'production',
      revokedAt: null,
    })
    expect(token.hint).toBe(`${secret.slice(0, 14)}…`)
    expect((await s.call(secret, 'GET', '/v1/sdk/snapshot')).statusCode).toBe(200)
    const revoked = await s.call(s.admin, 'DELETE', `/v1/admin/tokens/${token.id}`)
    expect(revoked.json().token.revokedAt).not.toBeNull()
    expect((await s.call(secret, 'GET', '/v1/sdk/snapshot')).statusCode).toBe(401)
    const self = (await s.call(s.admin, 'GET', '/v1/admin/tokens')).json().tokens[0].id
    expect((await s.call(s.admin, 'DELETE', `/v1/admin/tokens/${self}`)).statusCode).toBe(409)
  })

  it('should serve a snapshot with an ETag, 304 when unchanged, and only clientSide flags to client tokens', async () => {
    await createFlag({ key: 'server-only', kind: 'boolean' })
    await createFlag({ key: 'browser', kind: 'boolean', clientSide: true })
    const segment = { conditions: [{ attribute: 'country', op: 'in', values: ['NZ'] }] }
    for (const key of ['kiwis', 'secret-list']) {
      await s.call(s.admin, 'PUT', `/v1/admin/environments/production/segments/${key}`, segment)
    }
    const inSegment = (key: string) => ({
      enabled: true,
      rules: [
        {
          conditions: [{ attribute: 'country', op: 'inSegment', values: [key] }],
          serve: { variant: 'on' },
        },
      ],
      fallthrough: { variant: 'off' },
    })
    await s.call(s.admin, 'PUT', CONFIG('production', 'browser'), inSegment('kiwis'))
    await s.call(s.admin, 'PUT', CONFIG('production', 'server-only'), inSegment('secret-list'))
    const server = await s.token('server', 'production')
    const client = await s.token('client', 'production')

    const full = await s.call(server, 'GET', '/v1/sdk/snapshot')
    expect(full.headers.etag).toBe('"6"')
    expect(full.headers['cache-control']).toBe('no-cache')
    const snapshot = parseSnapshot(full.json())
    expect(snapshot.success && Object.keys(snapshot.data.flags).sort()).toEqual([
      'browser',
      'server-only',
    ])
    expect(Object.keys(full.json().segments).sort()).toEqual(['kiwis', 'secret-list'])
    expect(
      (await s.call(server, 'GET', '/v1/sdk/snapshot', undefined, { 'if-none-match': '"6"' }))
        .statusCode,
    ).toBe(304)

    const browser = await s.call(client, 'GET', '/v1/sdk/snapshot', undefined, {
      origin: 'https://app.example',
    })
    expect(browser.headers['access-control-allow-origin']).toBe('*')
    expect(parseSnapshot(browser.json()).success).toBe(true)
    expect(Object.keys(browser.json().flags)).toEqual(['browser'])
    expect(Object.keys(browser.json().segments)).toEqual(['kiwis'])
    const preflight = await s.call(undefined, 'OPTIONS', '/v1/sdk/stream', undefined, {
      origin: 'https://app.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization,last-event-id',
    })
    expect(preflight.statusCode).toBe(204)
    expect(preflight.headers['access-control-allow-headers']).toContain('Last-Event-ID')
  })

  it('should aggregate signals, drop a retried batch and tell subscribers', async () => {
    await createFlag({ key: 'a', kind: 'boolean' })
    const token = await s.token('server', 'staging')
    const heard: string[] = []
    s.signals.subscribe((event) =>
      heard.push(`${event.environment}:${Object.keys(event.batch.flags).join(',')}`),
    )
    const batch = {
      id: 'batch-0001',
      sdk: { name: 'node', version: '1.0.0', instanceId: 'i-1' },
      window: { start: Date.UTC(2030, 0, 1, 0, 0, 10), end: Date.UTC(2030, 0, 1, 0, 0, 15) },
      flags: {
        a: {
          on: { exposures: 3, successes: 2, errors: 1 },
          nope: { exposures: 1, successes: 1, errors: 0 },
        },
        ghost: { on: { exposures: 1, successes: 1, errors: 0 } },
      },
    }
    const first = await s.call(token, 'POST', '/v1/sdk/signals', batch)
    expect(first.statusCode).toBe(202)
    expect(first.json()).toEqual({ duplicate: false, ignored: ['a/nope', 'ghost'] })
    const retry = await s.call(token, 'POST', '/v1/sdk/signals', batch)
    expect(retry.json()).toMatchObject({ duplicate: true })
    expect(heard).toEqual(['staging:a'])
    await s.signals.flush()
    expect(await s.store.querySignals({ environment: 'staging' })).toMatchObject([
      {
        flagKey: 'a',
        variant: 'on',
        bucketStart: '2030-01-01T00:00:00.000Z',
        exposures: 3,
        errors: 1,
      },
    ])
  })

  it('should hold signals in memory between flushes and write them on a graceful shutdown', async () => {
    const store = await createSqliteStore({ path: ':memory:' })
    const held = await createTestServer({ store, signalFlushMs: 3_600_000 })
    await held.call(held.admin, 'POST', '/v1/admin/flags', { key: 'a', kind: 'boolean' })
    const token = await held.token('server', 'production')
    const batch = (id: string) => ({
      id,
      sdk: { name: 'node', version: '1.0.0', instanceId: 'i-1' },
      window: { start: Date.UTC(2030, 0, 1), end: Date.UTC(2030, 0, 1, 0, 0, 5) },
      flags: { a: { on: { exposures: 4, successes: 4, errors: 0 } } },
    })
    for (const id of ['held-0001', 'held-0002']) {
      expect((await held.call(token, 'POST', '/v1/sdk/signals', batch(id))).statusCode).toBe(202)
    }
    expect(await store.querySignals({ environment: 'production' })).toEqual([])
    await held.close()
    expect(await store.querySignals({ environment: 'production' })).toMatchObject([
      { flagKey: 'a', variant: 'on', exposures: 8 },
    ])
    await store.close()
  })

  it('should answer health, readiness and metrics', async () => {
    expect((await s.call(undefined, 'GET', '/healthz')).json()).toEqual({ status: 'ok' })
    expect((await s.call(undefined, 'GET', '/readyz')).json()).toMatchObject({ status: 'ready' })
    await s.call(s.admin, 'GET', '/v1/admin/flags')
    const metrics = (await s.call(undefined, 'GET', '/metrics')).body
    expect(metrics).toContain('floodgate_http_request_duration_seconds_bucket')
    expect(metrics).toContain('floodgate_store_operation_duration_seconds_bucket')
    expect(metrics).toContain('route="/v1/admin/flags"')
  })

  it('should rate-limit SDK requests per token with a problem and Retry-After', async () => {
    const limited = await createTestServer({ rateLimit: { max: 2, windowMs: 60_000 } })
    const token = await limited.token('server', 'production')
    const other = await limited.token('server', 'production', 'other')
    expect((await limited.call(token, 'GET', '/v1/sdk/snapshot')).statusCode).toBe(200)
    expect((await limited.call(token, 'GET', '/v1/sdk/snapshot')).statusCode).toBe(200)
    const third = await limited.call(token, 'GET', '/v1/sdk/snapshot')
    expect(third.statusCode).toBe(429)
    expect(third.headers['content-type']).toContain('application/problem+json')
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0)
    expect((await limited.call(other, 'GET', '/v1/sdk/snapshot')).statusCode).toBe(200)
    await limited.close()
  })
})
