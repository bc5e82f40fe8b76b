import { createTokenSecret, type RunningServer, startServer } from '@floodgate/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CheckoutResponse } from './checkoutApp'
import { type CheckoutConfig, readCheckoutConfig } from './checkoutConfig'
import { type RunningCheckout, startCheckoutServer } from './checkoutServer'
import type { FlagState } from './flagState'

const silent = { warn: () => {}, error: () => {} }

/** The real Floodgate server and the checkout, each listening on a free port. */
describe('startCheckoutServer', () => {
  const admin = createTokenSecret('admin')
  let server: RunningServer
  let checkout: RunningCheckout | undefined

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const json = (await res.json()) as T
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
    return json
  }
  const change = async (action: 'rollout' | 'kill', body: unknown) =>
    (
      await call<{ environmentVersion: number }>(
        'POST',
        `/v1/admin/environments/production/flags/new-checkout/${action}`,
        body,
      )
    ).environmentVersion
  const start = async (overrides: Partial<CheckoutConfig> = {}) => {
    const { secret } = await call<{ secret: string }>('POST', '/v1/admin/tokens', {
      name: 'checkout',
      scope: 'server',
      environment: 'production',
    })
    const config = readCheckoutConfig({
      PORT: '0',
      FLOODGATE_URL: server.url,
      FLOODGATE_TOKEN: secret,
      INSTANCE_ID: 'checkout-1',
    })
    if (!config.success) throw new Error(config.error)
    checkout = await startCheckoutServer({ ...config.data, ...overrides }, { logger: silent })
    return checkout
  }
  const get = async <T>(path: string) => {
    const res = await fetch(`${checkout?.url}${path}`)
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (await res.json()) as T,
    }
  }

  beforeEach(async () => {
    server = await startServer({
      port: 0,
      db: ':memory:',
      logger: false,
      adminToken: admin,
      rateLimit: false,
    })
    await call('POST', '/v1/admin/flags', { key: 'new-checkout', kind: 'boolean' })
  })
  afterEach(async () => {
    await checkout?.close()
    checkout = undefined
    await server.close()
  })

  it('should serve the new checkout while the flag is on, and the legacy one within a poll of a kill', async () => {
    const version = await change('rollout', { percent: 100 })
    await start()
    const on = await get<FlagState>('/flag-state')
    expect(on.body).toMatchObject({
      flag: 'new-checkout',
      instanceId: 'checkout-1',
      status: 'ready',
      snapshotVersion: version,
      enabled: true,
      killed: false,
      percent: 100,
      localGuardTripped: false,
    })
    expect((await get<CheckoutResponse>('/checkout?userId=alice')).body).toMatchObject({
      ok: true,
      checkout: 'new',
      instanceId: 'checkout-1',
    })

    const killed = await change('kill', { reason: 'checkout errors' })
    await vi.waitFor(
      async () => expect((await get<FlagState>('/flag-state')).body.snapshotVersion).toBe(killed),
      { timeout: 5000, interval: 20 },
    )
    expect((await get<FlagState>('/flag-state')).body).toMatchObject({ killed: true, percent: 0 })
    expect((await get<CheckoutResponse>('/checkout?userId=alice')).body).toMatchObject({
      ok: true,
      checkout: 'legacy',
    })
  })

  it('should report signals to the server attributed to the checkout each user got', async () => {
    await change('rollout', { percent: 50 })
    await start({ signalsIntervalMs: 200, newCheckoutFailRate: 0.5 })
    const local = {
      on: { exposures: 0, successes: 0, errors: 0 },
      off: { exposures: 0, successes: 0, errors: 0 },
    }
    for (let i = 0; i < 300; i++) {
      const { status, body } = await get<CheckoutResponse>(`/checkout?userId=user-${i}`)
      const counts = body.checkout === 'new' ? local.on : local.off
      counts.exposures++
      if (status === 200) counts.successes++
      else counts.errors++
    }
    expect(local.on.exposures).toBeGreaterThan(100)
    expect(local.off.exposures).toBeGreaterThan(100)
    expect(local.on.errors).toBeGreaterThan(0)
    expect(local.off.errors).toBe(0)

    await vi.waitFor(
      async () => {
        const buckets = await server.store.querySignals({
          environment: 'production',
          flagKey: 'new-checkout',
        })
        const stored = {
          on: { exposures: 0, successes: 0, errors: 0 },
          off: { exposures: 0, successes: 0, errors: 0 },
        }
        for (const bucket of buckets) {
          const counts = stored[bucket.variant as 'on' | 'off']
          counts.exposures += bucket.exposures
          counts.successes += bucket.successes
          counts.errors += bucket.errors
        }
        expect(stored).toEqual(local)
      },
      { timeout: 10_000, interval: 100 },
    )
  })

  it('should serve the legacy checkout here once its local guard trips, and say so in /flag-state', async () => {
    await change('rollout', { percent: 0 })
    await call('POST', '/v1/admin/environments/production/flags/new-checkout/rollouts', {
      treatment: 'on',
      control: 'off',
      // A long first stage and a strict test: the controller stays out of the way.
      stages: [{ percent: 50, minDurationSec: 3600 }, { percent: 100 }],
      guard: { alpha: 0.001 },
      localGuard: { minErrors: 5, maxErrorRate: 0.5 },
    })
    await start({ newCheckoutFailRate: 1 })
    const before = (await get<FlagState>('/flag-state')).body
    expect(before).toMatchObject({ percent: 50, localGuardTripped: false, rollout: { stage: 0 } })

    let failed = 0
    for (let i = 0; failed < 5 && i < 500; i++) {
      const { body } = await get<CheckoutResponse>(`/checkout?userId=user-${i}`)
      if (!body.ok) failed++
    }
    expect(failed).toBe(5)
    expect((await get<FlagState>('/flag-state')).body).toMatchObject({
      percent: 0,
      localGuardTripped: true,
      flagVersion: before.flagVersion,
      rollout: before.rollout,
    })
    for (let i = 0; i < 50; i++) {
      const { body } = await get<CheckoutResponse>(`/checkout?userId=user-${i}`)
      expect(body.checkout).toBe('legacy')
    }
  })

  it('should answer a checkout without a user with a problem naming the parameter', async () => {
    await change('rollout', { percent: 100 })
    await start()
    const res = await get<{ code: string; errors: { path: string }[] }>('/checkout')
    expect(res.status).toBe(400)
    expect(res.type).toContain('application/problem+json')
    expect(res.body).toMatchObject({ code: 'invalid_query', errors: [{ path: '/userId' }] })
    expect((await get<{ status: string }>('/healthz')).body).toEqual({
      status: 'ok',
      flags: 'ready',
    })
  })
})

describe('readCheckoutConfig', () => {
  it('should fill in the defaults', () => {
    const config = readCheckoutConfig({ FLOODGATE_TOKEN: 'fg_server_abc' })
    expect(config).toMatchObject({
      success: true,
      data: {
        port: 3000,
        floodgateUrl: 'http://127.0.0.1:4242',
        signalsIntervalMs: 10_000,
        failRate: 0,
        newCheckoutFailRate: 0,
      },
    })
  })

  it('should name every bad variable', () => {
    const config = readCheckoutConfig({
      FLOODGATE_TOKEN: 'fg_admin_abc',
      NEW_CHECKOUT_FAIL_RATE: '1.5',
      PORT: 'eighty',
    })
    expect(config.success).toBe(false)
    if (config.success) return
    expect(config.error).toContain('FLOODGATE_TOKEN')
    expect(config.error).toContain('NEW_CHECKOUT_FAIL_RATE')
    expect(config.error).toContain('PORT')
  })
})
