import { SchemaError } from '@floodgate/core'
import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { Flag } from './Flag'
import { TestFlagProvider } from './TestFlagProvider'
import { quietRenderErrors } from './testUtils/quiet'
import { useFlag } from './useFlag'
import { useFlagDetails } from './useFlagDetails'
import { useFlagsStatus } from './useFlagsStatus'
import { useFlagValue } from './useFlagValue'
import { useVariant } from './useVariant'

function Checkout() {
  const status = useFlagsStatus().status
  const theme = useFlagValue('theme', 'light')
  const layout = useVariant('layout')
  const limits = useFlagValue('limits', { maxMb: 1 })
  const banner = useFlagDetails('banner', 'none')
  return (
    <>
      <p>{`${status} ${theme} ${layout} ${limits.maxMb} ${banner.variant}:${banner.value}`}</p>
      <Flag name="new-checkout" fallback={<p>legacy</p>}>
        <p>new</p>
      </Flag>
      <p>{`beta ${useFlag('beta', true)}`}</p>
    </>
  )
}

describe('TestFlagProvider', () => {
  it('should serve plain values through a real client, ready from the first render', () => {
    render(
      <TestFlagProvider
        flags={{
          'new-checkout': true,
          theme: 'dark',
          layout: 'wizard',
          limits: { maxMb: 50 },
          banner: 'Hello, world',
          beta: false,
        }}
      >
        <Checkout />
      </TestFlagProvider>,
    )
    expect(screen.getAllByRole('paragraph').map((p) => p.textContent)).toEqual([
      'ready dark wizard 50 value:Hello, world',
      'new',
      'beta false',
    ])
  })

  it('should give defaults for flags it was not given, and follow new values', () => {
    const { rerender } = render(
      <TestFlagProvider>
        <Checkout />
      </TestFlagProvider>,
    )
    expect(screen.getAllByRole('paragraph').map((p) => p.textContent)).toEqual([
      'ready light undefined 1 undefined:none',
      'legacy',
      'beta true',
    ])
    rerender(
      <TestFlagProvider flags={{ 'new-checkout': true }}>
        <Checkout />
      </TestFlagProvider>,
    )
    expect(screen.getByText('new')).toBeTruthy()
  })

  it('should reject a flag key the server would reject, naming it', () => {
    const quiet = quietRenderErrors()
    try {
      expect(() => render(<TestFlagProvider flags={{ 'New Checkout': true }} />)).toThrow(
        SchemaError,
      )
      expect(() => render(<TestFlagProvider flags={{ 'New Checkout': true }} />)).toThrow(
        /New Checkout/,
      )
    } finally {
      quiet.restore()
    }
  })
})
