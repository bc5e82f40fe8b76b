import { FlagSdkError } from '@floodgate/core'
import { describe, expect, it } from 'vitest'
import { checkTrackedEvents, toTrackedSignal } from './trackedEvent'

const TRACKED = {
  'checkout-failed': { flags: ['new-checkout'], outcome: 'error' as const },
  'checkout-completed': { flags: ['new-checkout', 'fast-shipping'] },
}

describe('toTrackedSignal', () => {
  it('should take the flag, outcome and latency from the details', () => {
    expect(
      toTrackedSignal(
        'anything',
        { flagKey: 'new-checkout', outcome: 'error', latencyMs: 12.5 },
        {},
      ),
    ).toEqual({ success: true, data: { flagKeys: ['new-checkout'], ok: false, latencyMs: 12.5 } })
  })

  it("should fill what the details leave out from the event's entry, then succeed without latency", () => {
    expect(toTrackedSignal('checkout-failed', {}, TRACKED)).toEqual({
      success: true,
      data: { flagKeys: ['new-checkout'], ok: false, latencyMs: undefined },
    })
    expect(toTrackedSignal('checkout-completed', { latencyMs: 3 }, TRACKED)).toEqual({
      success: true,
      data: { flagKeys: ['new-checkout', 'fast-shipping'], ok: true, latencyMs: 3 },
    })
    expect(toTrackedSignal('checkout-failed', { outcome: 'success' }, TRACKED)).toMatchObject({
      data: { ok: true },
    })
  })

  it('should count nothing for an event about no flag, and not read value as a latency', () => {
    expect(toTrackedSignal('page-view', { value: 3 }, TRACKED)).toEqual({
      success: true,
      data: undefined,
    })
    expect(toTrackedSignal('toString', {}, TRACKED)).toEqual({ success: true, data: undefined })
    expect(toTrackedSignal('purchase', { flagKey: 'new-checkout', value: 99 }, {})).toMatchObject({
      data: { latencyMs: undefined },
    })
  })

  it.each([
    [{ flagKey: 1 }, 'details.flagKey must be a string'],
    [{ flagKey: 'f', outcome: 'failed' }, 'details.outcome must be "success" or "error"'],
    [
      { flagKey: 'f', latencyMs: -1 },
      'details.latencyMs must be a finite number of milliseconds, 0 or more',
    ],
    [
      { flagKey: 'f', latencyMs: '5' },
      'details.latencyMs must be a finite number of milliseconds, 0 or more',
    ],
  ])('should refuse %j', (details, error) => {
    expect(toTrackedSignal('e', details as never, {})).toEqual({ success: false, error })
  })
})

describe('checkTrackedEvents', () => {
  it('should accept none and well-formed entries', () => {
    expect(checkTrackedEvents(undefined)).toEqual({})
    expect(checkTrackedEvents(TRACKED)).toBe(TRACKED)
  })

  it.each([
    [[], 'trackedEvents must be an object of event names'],
    [{ e: { flags: [] } }, 'trackedEvents["e"].flags must be a non-empty list of flag keys'],
    [
      { e: { flags: 'new-checkout' } },
      'trackedEvents["e"].flags must be a non-empty list of flag keys',
    ],
    [{ e: null }, 'trackedEvents["e"].flags must be a non-empty list of flag keys'],
    [
      { e: { flags: ['f'], outcome: 'bad' } },
      'trackedEvents["e"].outcome must be "success" or "error"',
    ],
  ])('should refuse %j with an invalid_options error', (option, message) => {
    let thrown: unknown
    try {
      checkTrackedEvents(option)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(FlagSdkError)
    expect(thrown).toMatchObject({
      code: 'invalid_options',
      message: `Floodgate provider: ${message}`,
    })
  })
})
