import { FlagClient } from '@floodgate/core'
import { renderHook } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { FlagProvider } from './FlagProvider'
import { quietRenderErrors } from './testUtils/quiet'
import { useFlagClient } from './useFlagClient'

describe('useFlagClient', () => {
  it("should give the provider's client", () => {
    const client = new FlagClient()
    const { result } = renderHook(() => useFlagClient(), {
      wrapper: ({ children }) => <FlagProvider client={client}>{children}</FlagProvider>,
    })
    expect(result.current).toBe(client)
  })

  it('should throw an error that says to add a FlagProvider when there is none', () => {
    const quiet = quietRenderErrors()
    try {
      expect(() => renderHook(() => useFlagClient())).toThrow(/<FlagProvider/)
    } finally {
      quiet.restore()
    }
  })
})
