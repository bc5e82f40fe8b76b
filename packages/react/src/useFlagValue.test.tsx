import { FlagClient } from '@floodgate/core'
import { act, render, renderHook } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it } from 'vitest'
import { FlagProvider } from './FlagProvider'
import { booleanFlag, patch, snapshotOf, stringFlag } from './testUtils/fixtures'
import { Probe } from './testUtils/Probe'
import { quietRenderErrors } from './testUtils/quiet'
import { useFlagValue } from './useFlagValue'

const limits = booleanFlag('limits', {
  kind: 'json',
  variants: { small: { maxMb: 10 }, large: { maxMb: 100 } },
  offVariant: 'small',
  fallthrough: { variant: 'large' },
})
const retries = booleanFlag('retries', {
  kind: 'number',
  variants: { few: 2, many: 5 },
  offVariant: 'few',
  fallthrough: { variant: 'many' },
})

describe('useFlagValue', () => {
  const client = new FlagClient({
    snapshot: snapshotOf([limits, retries, stringFlag('theme', { dark: 'dark' }, 'dark')]),
  })
  const wrapper = ({ children }: { children: ReactNode }) => (
    <FlagProvider client={client}>{children}</FlagProvider>
  )
  const read = <T,>(hook: () => T) => renderHook(hook, { wrapper }).result.current

  it('should give string, number and JSON values', () => {
    expect(read(() => useFlagValue('theme', 'light'))).toBe('dark')
    expect(read(() => useFlagValue('retries', 0))).toBe(5)
    expect(read(() => useFlagValue('limits', { maxMb: 1 }))).toEqual({ maxMb: 100 })
    expect(read(() => useFlagValue('limits', null))).toEqual({ maxMb: 100 })
  })

  it('should give the default for a missing flag or a value of another type', () => {
    expect(read(() => useFlagValue('missing', 'light'))).toBe('light')
    expect(read(() => useFlagValue('theme', 3))).toBe(3)
    expect(read(() => useFlagValue('limits', 'none'))).toBe('none')
  })

  it('should re-render with the new value of its flag only', () => {
    const live = new FlagClient({ snapshot: snapshotOf([retries, booleanFlag('other')]) })
    const seen: number[] = []
    render(
      <FlagProvider client={live}>
        <Probe read={() => useFlagValue('retries', 0)} seen={seen} />
      </FlagProvider>,
    )
    act(() => {
      live.applyPatch(patch(2, 'other', booleanFlag('other', { enabled: false })))
    })
    act(() => {
      live.applyPatch(
        patch(3, 'retries', { ...retries, version: 2, fallthrough: { variant: 'few' } }),
      )
    })
    expect(seen).toEqual([5, 2])
  })

  it('should throw an error that says to add a FlagProvider when there is none', () => {
    const quiet = quietRenderErrors()
    try {
      expect(() => renderHook(() => useFlagValue('a', 1))).toThrow(/<FlagProvider/)
    } finally {
      quiet.restore()
    }
  })
})
