import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTokenSecret, type RunningServer, startServer } from '@floodgate/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CheckoutService, startCheckoutService } from './checkoutService'

const admin = createTokenSecret('admin')
let dir: string
let server: RunningServer
let service: CheckoutService
const lines: string[] = []

async function call(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`)
  return (await response.json()) as Record<string, unknown>
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floodgate-openfeature-node-'))
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    db: join(dir, 'floodgate.db'),
    logger: false,
    adminToken: admin,
  })
  await call('/v1/admin/flags', { key: 'new-checkout', kind: 'boolean' })
  await call('/v1/admin/environments/production/flags/new-checkout/rollout', { percent: 50 })
  const { secret } = (await call('/v1/admin/tokens', {
    name: 'example',
    scope: 'server',
    environment: 'production',
  })) as { secret: string }
  service = await startCheckoutService({
    url: server.url,
    token: secret,
    log: (l) => lines.push(l),
  })
})

afterAll(async () => {
  await service?.close()
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

const users = Array.from({ length: 200 }, (_, i) => `user-${i}`)

describe('the OpenFeature checkout on a real server', () => {
  it('should serve the new checkout to about half of the users, each one always the same', async () => {
    const first = await Promise.all(users.map((u) => service.checkout(u)))
    const again = await Promise.all(users.map((u) => service.checkout(u)))
    expect(again).toEqual(first)
    const share = first.filter((s) => s === 'new').length / users.length
    expect(share).toBeGreaterThan(0.35)
    expect(share).toBeLessThan(0.65)
  })

  it('should fall back to the legacy checkout when the new one fails', async () => {
    const served = await Promise.all(users.map((u) => service.checkout(u)))
    const inTreatment = users[served.indexOf('new')]
    expect(inTreatment).toBeDefined()
    expect(await service.checkout(inTreatment as string, { fail: true })).toBe('legacy')
    expect(await service.checkout(inTreatment as string)).toBe('new')
  })

  it('should see a kill through the provider event and serve everyone the legacy checkout', async () => {
    await call('/v1/admin/environments/production/flags/new-checkout/kill', {
      reason: 'example test',
    })
    await expect
      .poll(() => lines.includes('configuration changed: new-checkout'), { timeout: 10_000 })
      .toBe(true)
    const served = await Promise.all(users.map((u) => service.checkout(u)))
    expect(served.every((s) => s === 'legacy')).toBe(true)
  })
})
