import { type Context, type EvaluationDetails, FlagClient } from '@floodgate/core'
import { act, render, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it } from 'vitest'
import { FlagProvider } from './FlagProvider'
import {
  booleanFlag,
  exposures,
  guardedCanary,
  patch,
  snapshotOf,
  stringFlag,
  userServed,
} from './testUtils/fixtures'
import { Probe } from './testUtils/Probe'
import { quietRenderErrors } from './testUtils/quiet'
import { useFlagDetails } from './useFlagDetails'

function providerOf(client: FlagClient, context?: Context) {
  return ({ children }: { children: ReactNode }) => (
    <FlagProvider client={client} context={context}>
      {children}
    </FlagProvider>
  )
}

const staff = booleanFlag('staff', {
  rules: [
    {
      conditions: [{ attribute: 'email', op: 'inSegment', values: ['staff'] }],
      serve: { variant: 'on' },
    },
  ],
  fallthrough: { variant: 'off' },
})

describe('useFlagDetails', () => {
  it('should give the details of the evaluation for the provider context', () => {
    const client = new FlagClient({
      snapshot: snapshotOf([guardedCanary(), stringFlag('theme', { dark: 'dark' }, 'dark')]),
    })
    const wrapper = providerOf(client, { userId: userServed('on') })
    expect(renderHook(() => useFlagDetails('new-checkout'), { wrapper }).result.current).toEqual({
      flagKey: 'new-checkout',
      value: true,
      variant: 'on',
      reason: 'SPLIT',
    })
    expect(renderHook(() => useFlagDetails('theme', false), { wrapper }).result.current).toEqual({
      flagKey: 'theme',
      value: false,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      errorMessage: 'flag "theme" serves a string, the default is a boolean',
    })
    const noUnit = providerOf(client)
    expect(
      renderHook(() => useFlagDetails('new-checkout'), { wrapper: noUnit }).result.current,
    ).toMatchObject({ value: false, variant: 'off', errorCode: 'TARGETING_KEY_MISSING' })
  })

  it('should tell not ready from not found, and see a flag deleted', () => {
    const client = new FlagClient()
    const { result } = renderHook(() => useFlagDetails('a', true), { wrapper: providerOf(client) })
    expect(result.current).toMatchObject({ value: true, errorCode: 'PROVIDER_NOT_READY' })
    act(() => {
      client.setSnapshot(snapshotOf([booleanFlag('b')]))
    })
    expect(result.current).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' })
    act(() => {
      client.applyPatch(patch(2, 'a', booleanFlag('a', { enabled: false })))
    })
    expect(result.current).toMatchObject({ value: false, variant: 'off', reason: 'DISABLED' })
    act(() => {
      client.applyPatch(patch(3, 'a', null))
    })
    expect(result.current).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' })
  })

  it('should keep the same details object until its flag changes', () => {
    const client = new FlagClient({ snapshot: snapshotOf([booleanFlag('a'), booleanFlag('b')]) })
    const { result, rerender } = renderHook(() => useFlagDetails('a'), {
      wrapper: providerOf(client),
    })
    const first = result.current
    rerender()
    act(() => {
      client.applyPatch(patch(2, 'b', booleanFlag('b', { enabled: false })))
    })
    expect(result.current).toBe(first)
    act(() => {
      client.applyPatch(patch(3, 'a', booleanFlag('a', { version: 2 })))
    })
    expect(result.current).not.toBe(first)
    expect(result.current).toEqual(first)
  })

  it('should re-render when a segment the flag uses changes', () => {
    const client = new FlagClient({
      snapshot: {
        ...snapshotOf([staff, booleanFlag('other')]),
        segments: { staff: { conditions: [] } },
      },
    })
    const seen: EvaluationDetails<boolean>[] = []
    render(
      <FlagProvider client={client} context={{ email: 'bob@example.com' }}>
        <Probe read={() => useFlagDetails('staff', false)} seen={seen} />
      </FlagProvider>,
    )
    act(() => {
      client.applyPatch({
        type: 'segment',
        previousVersion: 1,
        version: 2,
        key: 'staff',
        segment: { conditions: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }] },
      })
    })
    expect(seen.map((d) => [d.value, d.reason])).toEqual([
      [true, 'TARGETING_MATCH'],
      [false, 'DEFAULT'],
    ])
  })

  it('should re-render with the control when the local guard trips, without a new snapshot', () => {
    const user = userServed('on')
    const client = new FlagClient({
      snapshot: snapshotOf([guardedCanary(1, 2)]),
      logger: { warn: () => {}, error: () => {} },
    })
    const { result } = renderHook(() => useFlagDetails('new-checkout', false), {
      wrapper: providerOf(client, { userId: user }),
    })
    expect(result.current).toMatchObject({ value: true, variant: 'on' })
    const snapshot = client.getSnapshot()
    act(() => {
      client.recordError('new-checkout', new Error('1'), { userId: user })
      client.recordError('new-checkout', new Error('2'), { userId: user })
    })
    expect(client.getSnapshot()).toBe(snapshot)
    expect(result.current).toMatchObject({ value: false, variant: 'off', reason: 'KILLED' })
  })

  it('should count an exposure of the variant shown, not of renders thrown away', () => {
    const client = new FlagClient({ snapshot: snapshotOf([guardedCanary()]) })
    const user = userServed('off')
    const { rerender } = renderHook(() => useFlagDetails('new-checkout'), {
      wrapper: providerOf(client, { userId: user }),
    })
    rerender()
    expect(exposures(client)).toEqual({ 'new-checkout': { off: 1 } })
    renderHook(() => useFlagDetails('missing'), { wrapper: providerOf(client) })
    expect(client.signals.drain()).toBeNull()
  })

  it('should throw an error that says to add a FlagProvider when there is none', () => {
    const quiet = quietRenderErrors()
    try {
      expect(() => renderHook(() => useFlagDetails('a'))).toThrow(/<FlagProvider/)
    } finally {
      quiet.restore()
    }
  })
})
