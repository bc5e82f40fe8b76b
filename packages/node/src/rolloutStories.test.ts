import type { RolloutEvent } from '@floodgate/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createClient, type NodeFlagClient } from './createClient'
import { recordingLogger } from './testUtils/fixtures'
import { LiveServer } from './testUtils/liveServer'

const ROLLOUTS = '/v1/admin/environments/production/flags/checkout/rollouts'

/**
 * The two stories of a staged rollout, end to end: the real server on a free
 * port, several Node SDK clients over HTTP serving traffic and reporting
 * signals, the controller deciding on its own.
 */
describe('staged rollouts with the Node SDK', () => {
  let live: LiveServer
  let token: string
  let events: RolloutEvent[]
  let fleet: NodeFlagClient[]
  let user = 0
  let stop = false
  let traffic: Promise<void> | undefined

  beforeEach(async () => {
    live = await (await LiveServer.create({ rollouts: { tickMs: 100 } })).start()
    events = []
    live.server?.rollouts.subscribe((event) => events.push(event))
    await live.call('POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' })
    token = await live.sdkToken()
    fleet = Array.from({ length: 4 }, (_, i) =>
      createClient({
        url: live.url,
        token,
        closeOnShutdown: false,
        logger: recordingLogger(),
        instanceId: `app-${i}`,
        signalsIntervalMs: 200,
      }),
    )
    await Promise.all(fleet.map((c) => c.ready()))
    stop = false
  })
  afterEach(async () => {
    stop = true
    await traffic
    await Promise.all(fleet.map((c) => c.close()))
    await live.dispose()
  })

  /**
   * Every client serves new users in rounds; a request fails when its arm's
   * failure rule says so (deterministic, so both arms see exactly their rate).
   */
  const serve = (fails: (on: boolean, n: number) => boolean) => {
    traffic = (async () => {
      while (!stop) {
        for (const client of fleet) {
          for (let i = 0; i < 50; i++) {
            const context = { userId: `user-${user++}` }
            const on = client.isEnabled('checkout', context)
            if (fails(on, user)) client.recordError('checkout', new Error('failed'), context)
            else client.recordSuccess('checkout', context)
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
  }
  const status = async () =>
    (await live.call<{ status: string }>('GET', `${ROLLOUTS}/current`)).status

  it('should climb a healthy canary through its stages to completed, every client serving treatment', async () => {
    const started = await live.call<{ id: string; status: string }>('POST', ROLLOUTS, {
      treatment: 'on',
      control: 'off',
      stages: [
        { percent: 10, minDurationSec: 1 },
        { percent: 50, minDurationSec: 1 },
        { percent: 100 },
      ],
      guard: { minEvidence: 5 },
    })
    expect(started.status).toBe('running')
    serve((_on, n) => n % 10 === 0)
    await vi.waitFor(async () => expect(await status()).toBe('completed'), {
      timeout: 25_000,
      interval: 100,
    })
    expect(events.map((e) => [e.type, e.percent])).toEqual([
      ['rollout.started', 10],
      ['rollout.promoted', 50],
      ['rollout.promoted', 100],
      ['rollout.completed', 100],
    ])
    expect(events[1]?.evidence).toMatchObject({ errorTest: { alarm: false } })
    await vi.waitFor(() => {
      for (const client of fleet) {
        expect(client.getSnapshot()?.flags.checkout?.rollout).toBeUndefined()
        expect(client.isEnabled('checkout', { userId: 'someone' })).toBe(true)
      }
    })
  })

  it('should revert a buggy canary by itself, and every client serves control', async () => {
    await live.call('POST', ROLLOUTS, {
      treatment: 'on',
      control: 'off',
      stages: [{ percent: 25, minDurationSec: 60 }, { percent: 100 }],
      localGuard: { minErrors: 5, maxErrorRate: 0.5 },
    })
    serve((on, n) => (on ? n % 5 < 3 : n % 50 === 0))
    await vi.waitFor(async () => expect(await status()).toBe('reverted'), {
      timeout: 25_000,
      interval: 100,
    })
    const reverted = events.at(-1)
    expect(reverted).toMatchObject({ type: 'rollout.reverted', percent: 0 })
    expect(reverted?.reason).toMatch(/error rate is above control's/)
    expect(reverted?.evidence).toMatchObject({ errorTest: { alarm: true } })
    await vi.waitFor(() => {
      for (const client of fleet) {
        const users = Array.from({ length: 200 }, (_, i) => ({ userId: `check-${i}` }))
        expect(users.filter((u) => client.isEnabled('checkout', u))).toEqual([])
      }
    })
  })
})
