import type { Snapshot } from '@floodgate/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createClient, type NodeClientOptions, type NodeFlagClient } from './createClient'
import { recordingLogger } from './testUtils/fixtures'
import { LiveServer } from './testUtils/liveServer'

/** Against the real server: started in-process on a temporary SQLite file. */
describe('createClient against @floodgate/server', () => {
  let live: LiveServer
  let token: string
  const clients: NodeFlagClient[] = []
  const connect = (options: Partial<NodeClientOptions> = {}) => {
    const flags = createClient({
      url: live.url,
      token,
      closeOnShutdown: false,
      logger: recordingLogger(),
      // Three quick stream failures switch a client to polling; a short poll
      // interval keeps a client that met a stopped server from waiting 15 s.
      transport: { reconnect: { initialMs: 10, maxMs: 100 }, fetchRetries: 0, pollIntervalMs: 100 },
      ...options,
    })
    clients.push(flags)
    return flags
  }

  beforeEach(async () => {
    live = await (await LiveServer.create()).start()
    await live.call('POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' })
    await live.change('checkout', 'rollout', { percent: 100 })
    token = await live.sdkToken()
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await live.dispose()
  })

  it('should start from the cache while the server is down, then catch up once it starts', async () => {
    const cacheFile = `${live.dir}/cache/flags.json`
    const first = connect({ cacheFile })
    expect(await first.ready()).toMatchObject({ status: 'ready' })
    expect(first.isEnabled('checkout', { userId: 'u' })).toBe(true)
    await first.close()
    await live.stop()

    const second = connect({ cacheFile })
    const status = await second.ready()
    expect(status).toMatchObject({ status: 'stale', error: { code: 'network' } })
    expect(second.isEnabled('checkout', { userId: 'u' })).toBe(true)

    await live.start()
    const version = await live.change('checkout', 'kill', { reason: 'test' })
    await vi.waitFor(() => expect(second.getSnapshot()?.version).toBe(version), { timeout: 10_000 })
    expect(second.isEnabled('checkout', { userId: 'u' })).toBe(false)
    expect(second.getStatus()).toEqual({ status: 'ready', version })
  })

  it('should bring a kill to 50 streaming clients', async () => {
    const fleet = Array.from({ length: 50 }, () => connect())
    const statuses = await Promise.all(fleet.map((c) => c.ready()))
    expect(statuses.every((s) => s.status === 'ready')).toBe(true)
    expect(fleet.every((c) => c.isEnabled('checkout', { userId: 'u' }))).toBe(true)
    const version = await live.change('checkout', 'kill', { reason: '5xx spike' })
    await vi.waitFor(
      () => expect(fleet.filter((c) => c.isEnabled('checkout', { userId: 'u' }))).toHaveLength(0),
      { timeout: 10_000 },
    )
    expect(fleet.map((c) => c.getSnapshot()?.version)).toEqual(fleet.map(() => version))
  })

  it('should reconnect after a server restart and resync, missing no change', async () => {
    const fleet = Array.from({ length: 10 }, () => connect())
    await Promise.all(fleet.map((c) => c.ready()))
    await live.change('checkout', 'kill', { reason: 'before the restart' })
    await live.stop()
    await live.start()
    // Changes right after the restart, before the clients are back.
    await live.change('checkout', 'unkill')
    const version = await live.change('checkout', 'rollout', { percent: 30 })
    const snapshot = (await (
      await fetch(`${live.url}/v1/sdk/snapshot`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Snapshot
    await vi.waitFor(
      () => expect(fleet.map((c) => c.getSnapshot()?.version)).toEqual(fleet.map(() => version)),
      { timeout: 10_000 },
    )
    for (const client of fleet) {
      expect(client.getSnapshot()?.flags.checkout).toEqual(snapshot.flags.checkout)
      expect(client.getStatus()).toEqual({ status: 'ready', version })
    }
  })

  it('should attribute signals to the variant served and not count a resent batch twice', async () => {
    await live.change('checkout', 'rollout', { percent: 50 })
    let signalPosts = 0
    const ids: string[] = []
    const flags = connect({
      transport: {
        fetchRetries: 0,
        // The first batch reaches the server, but its answer is lost: delivery in doubt.
        fetch: async (input, init) => {
          const request = new Request(input, init)
          const isSignals = request.url.endsWith('/v1/sdk/signals')
          if (isSignals) ids.push(((await request.clone().json()) as { id: string }).id)
          const response = await fetch(request)
          if (isSignals && ++signalPosts === 1) throw new TypeError('socket hang up')
          return response
        },
      },
    })
    await flags.ready()
    const local = { on: { exposures: 0, errors: 0 }, off: { exposures: 0, errors: 0 } }
    for (let i = 0; i < 200; i++) {
      const context = { userId: `user-${i}` }
      const on = flags.isEnabled('checkout', context)
      const counts = on ? local.on : local.off
      counts.exposures++
      if (on && i % 3 === 0) {
        counts.errors++
        flags.recordError('checkout', new Error('new path failed'), context)
      } else {
        flags.recordSuccess('checkout', context)
      }
    }
    expect(local.on.exposures).toBeGreaterThan(50)
    expect(local.off.exposures).toBeGreaterThan(50)
    await flags.flushSignals()
    await flags.flushSignals()
    expect(ids).toHaveLength(2)
    expect(ids[1]).toBe(ids[0])

    // The server writes the signals it holds every second; take them now.
    await live.server?.signals.flush()
    const buckets = await live.server?.store.querySignals({
      environment: 'production',
      flagKey: 'checkout',
    })
    const stored = { on: { exposures: 0, errors: 0 }, off: { exposures: 0, errors: 0 } }
    for (const bucket of buckets ?? []) {
      const counts = stored[bucket.variant as 'on' | 'off']
      counts.exposures += bucket.exposures
      counts.errors += bucket.errors
    }
    expect(stored).toEqual(local)
  })
})
