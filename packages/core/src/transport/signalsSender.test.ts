import { describe, expect, it, vi } from 'vitest'
import { FlagClient } from '../flagClient'
import type { SignalsBatch } from '../schemas'
import { canaryFlag, snapshotOf } from '../testUtils/fixtures'
import { type SendOutcome, SignalsSender } from './signalsSender'

function setup(
  outcomes: SendOutcome[],
  options: { maxBacklog?: number; urgentGapMs?: number } = {},
) {
  const client = new FlagClient({
    snapshot: snapshotOf([
      {
        ...canaryFlag('checkout', 50),
        rollout: { id: 'r1', stage: 0, treatment: 'on', control: 'off' },
      },
    ]),
    urgentErrors: 3,
  })
  const posted: SignalsBatch[] = []
  const post = vi.fn(async (batch: SignalsBatch) => {
    posted.push(structuredClone(batch))
    return outcomes.shift() ?? 'sent'
  })
  const sender = new SignalsSender(client.signals, post, {
    intervalMs: 60_000,
    maxBacklog: options.maxBacklog ?? 10,
    urgentGapMs: options.urgentGapMs ?? 0,
    now: Date.now,
  })
  return { client, sender, posted }
}

describe('SignalsSender', () => {
  it('should resend a batch in doubt under the same id, and never merge it into a newer one', async () => {
    const { client, sender, posted } = setup(['retry'])
    client.isEnabled('checkout', { userId: 'user-1' })
    await sender.flush()
    client.isEnabled('checkout', { userId: 'user-1' })
    await sender.flush()
    expect(posted).toHaveLength(3)
    expect(posted[1]?.id).toBe(posted[0]?.id)
    expect(posted[1]).toEqual(posted[0])
    expect(posted[2]?.id).not.toBe(posted[0]?.id)
    const exposures = (b: SignalsBatch | undefined) =>
      Object.values(b?.flags.checkout ?? {}).reduce((n, v) => n + v.exposures, 0)
    expect([exposures(posted[1]), exposures(posted[2])]).toEqual([1, 1])
    expect(sender.pending).toHaveLength(0)
  })

  it('should bound the backlog, dropping the oldest and reporting what they held', async () => {
    const { client, sender, posted } = setup(Array(5).fill('retry'), { maxBacklog: 2 })
    for (let i = 0; i < 5; i++) {
      client.isEnabled('checkout', { userId: `user-${i}` })
      client.recordError('checkout', new Error('boom'), { userId: `user-${i}` })
      await sender.flush()
    }
    expect(sender.pending).toHaveLength(2)
    expect(sender.unreported).toEqual({ batches: 1, exposures: 1, errors: 1 })
    posted.length = 0
    await sender.flush()
    const total = { batches: 0, exposures: 0, errors: 0 }
    for (const { dropped } of posted) {
      total.batches += dropped?.batches ?? 0
      total.exposures += dropped?.exposures ?? 0
      total.errors += dropped?.errors ?? 0
    }
    expect(posted).toHaveLength(3)
    expect(total).toEqual({ batches: 3, exposures: 3, errors: 3 })
    expect(sender.pending).toHaveLength(0)
    expect(sender.unreported).toEqual({ batches: 0, exposures: 0, errors: 0 })
  })

  it('should count a batch the server rejects as dropped and go on', async () => {
    const { client, sender, posted } = setup(['rejected'])
    client.isEnabled('checkout', { userId: 'user-1' })
    await sender.flush()
    expect(sender.pending).toHaveLength(0)
    await sender.flush()
    expect(posted.at(-1)).toMatchObject({
      flags: {},
      dropped: { batches: 1, exposures: 1, errors: 0 },
    })
  })

  it('should flush at once when treatment errors spike, without waiting for the interval', async () => {
    const { client, sender, posted } = setup([])
    sender.start()
    const treated = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].filter(
      (u) => client.getVariant('checkout', { userId: u }) === 'on',
    )
    expect(treated.length).toBeGreaterThanOrEqual(3)
    for (const userId of treated.slice(0, 3))
      client.recordError('checkout', new Error('x'), { userId })
    await vi.waitFor(() => expect(posted).toHaveLength(1))
    expect(posted[0]?.flags.checkout?.on?.errors).toBe(3)
    await sender.stop()
  })

  it('should flush one last time on stop and ignore urgent events after it', async () => {
    const { client, sender, posted } = setup([])
    sender.start()
    client.isEnabled('checkout', { userId: 'user-1' })
    await sender.stop()
    expect(posted).toHaveLength(1)
    client.signals.markTripped('checkout')
    await sender.stop()
    expect(posted).toHaveLength(2)
  })
})
