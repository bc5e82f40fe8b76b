import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { add } from './flagCounters'
import { PageSignals } from './pageSignals'
import { SignalsBatchSchema } from './schemas'
import { SignalsAggregator } from './signalsAggregator'
import type { SignalsEvent } from './types'
import { unitHash } from './unitHash'

const VARIANTS = ['on', 'off', 'other'] as const
const sdk = { name: 'test', version: '1', instanceId: 'page-1' }

type Step =
  | { kind: 'expose'; flag: number; variant: number }
  | { kind: 'outcome'; flag: number; variant: number; ok: boolean; latency?: number; unit?: number }
  | { kind: 'trip'; flag: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('expose' as const), flag: fc.nat(2), variant: fc.nat(2) }),
  fc.record(
    {
      kind: fc.constant('outcome' as const),
      flag: fc.nat(2),
      variant: fc.nat(2),
      ok: fc.boolean(),
      latency: fc.oneof(fc.constant(-1), fc.double({ min: 0, max: 20_000, noNaN: true })),
      unit: fc.nat(2),
    },
    { requiredKeys: ['kind', 'flag', 'variant', 'ok'] },
  ),
  fc.record({ kind: fc.constant('trip' as const), flag: fc.nat(2) }),
)

describe('PageSignals', () => {
  it('should build the batches SignalsAggregator builds from the same outcomes', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 80 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        (steps, rollouts) => {
          const now = () => 1000
          const page = new PageSignals({ sdk, now, urgentErrors: 3 })
          const reference = new SignalsAggregator({ sdk, now, urgentErrors: 3 })
          const urgent: [SignalsEvent[], SignalsEvent[]] = [[], []]
          page.on('urgent', (e) => urgent[0].push(e))
          reference.on('urgent', (e) => urgent[1].push(e))
          const counters = [0, 1, 2].map((f) =>
            reference.track(`flag-${f}`, VARIANTS, rollouts[f] ? 0 : -1),
          )
          for (const s of steps) {
            const key = `flag-${s.flag}`
            const rollout = rollouts[s.flag] ? { treatment: 'on' } : undefined
            const c = counters[s.flag]
            if (c === undefined) throw new Error('no counters')
            if (s.kind === 'expose') {
              page.expose(key, VARIANTS[s.variant] as string, rollout !== undefined)
              add(c.exposures, s.variant, 1)
            } else if (s.kind === 'outcome') {
              const latency = s.latency === undefined || s.latency < 0 ? undefined : s.latency
              const hash =
                s.unit === undefined || s.unit === 2 ? undefined : unitHash(`user-${s.unit}`)
              page.outcome(key, VARIANTS[s.variant] as string, rollout, s.ok, latency, hash)
              reference.recordOutcome(c, s.variant, s.ok, latency, hash)
            } else {
              page.markTripped(key)
              reference.markTripped(key)
            }
          }
          const ours = page.drain(2000)
          const theirs = reference.drain(2000)
          expect(ours === null).toBe(theirs === null)
          if (ours !== null && theirs !== null) {
            expect({ ...ours, id: '' }).toEqual({ ...theirs, id: '' })
            expect(SignalsBatchSchema.safeParse(ours).success).toBe(true)
          }
          expect(urgent[0]).toEqual(urgent[1])
          expect(page.drain(3000)).toBeNull()
        },
      ),
      { numRuns: 300 },
    )
  })

  it('should log a listener that throws and still call the others', () => {
    const logger = { warn: vi.fn(), error: vi.fn() }
    const page = new PageSignals({ sdk, logger })
    const heard = vi.fn()
    page.on('urgent', () => {
      throw new Error('listener failed')
    })
    const off = page.on('urgent', heard)
    page.markTripped('checkout')
    expect(heard).toHaveBeenCalledWith({
      type: 'urgent',
      flagKey: 'checkout',
      cause: 'localGuardTrip',
    })
    expect(logger.error).toHaveBeenCalledWith(
      '[floodgate] an urgent listener threw',
      expect.any(Error),
    )
    off()
    page.markTripped('checkout')
    expect(heard).toHaveBeenCalledTimes(1)
  })
})
