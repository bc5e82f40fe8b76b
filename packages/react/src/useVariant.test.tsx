import { FlagClient } from '@floodgate/core'
import { act, render, renderHook } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { FlagProvider } from './FlagProvider'
import { booleanFlag, guardedCanary, patch, snapshotOf, userServed } from './testUtils/fixtures'
import { Probe } from './testUtils/Probe'
import { quietRenderErrors } from './testUtils/quiet'
import { useVariant } from './useVariant'

const layout = booleanFlag('layout', {
  kind: 'string',
  variants: { 'one-page': 'one-page', wizard: 'wizard' },
  offVariant: 'one-page',
  rules: [
    {
      conditions: [{ attribute: 'plan', op: 'eq', values: ['pro'] }],
      serve: { variant: 'wizard' },
    },
  ],
  fallthrough: { variant: 'one-page' },
})

describe('useVariant', () => {
  it('should name the variant served to the provider context, undefined before a snapshot', () => {
    const client = new FlagClient()
    const seen: (string | undefined)[] = []
    render(
      <FlagProvider client={client} context={{ plan: 'pro' }}>
        <Probe read={() => useVariant('layout')} seen={seen} />
      </FlagProvider>,
    )
    act(() => {
      client.setSnapshot(snapshotOf([layout, guardedCanary()]))
    })
    act(() => {
      client.applyPatch(patch(2, 'layout', { ...layout, version: 2, rules: [] }))
    })
    expect(seen).toEqual([undefined, 'wizard', 'one-page'])
  })

  it('should name the variant of a split for the unit in context', () => {
    const client = new FlagClient({ snapshot: snapshotOf([guardedCanary()]) })
    const { result } = renderHook(() => useVariant('new-checkout'), {
      wrapper: ({ children }) => (
        <FlagProvider client={client} context={{ userId: userServed('off') }}>
          {children}
        </FlagProvider>
      ),
    })
    expect(result.current).toBe('off')
  })

  it('should throw an error that says to add a FlagProvider when there is none', () => {
    const quiet = quietRenderErrors()
    try {
      expect(() => renderHook(() => useVariant('a'))).toThrow(/<FlagProvider/)
    } finally {
      quiet.restore()
    }
  })
})
