import { FlagClient, FlagSdkError } from '@floodgate/core'
import { act, render, renderHook, screen } from '@testing-library/react'
import { memo, type ReactNode, StrictMode } from 'react'
import { describe, expect, it } from 'vitest'
import { FlagProvider } from './FlagProvider'
import { booleanFlag, exposures, patch, snapshotOf, stringFlag } from './testUtils/fixtures'
import { quietRenderErrors } from './testUtils/quiet'
import { useFlag } from './useFlag'

const staffOnly = booleanFlag('staff-only', {
  rules: [
    {
      conditions: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }],
      serve: { variant: 'on' },
    },
  ],
  fallthrough: { variant: 'off' },
})

function Probe({ flag, renders }: { flag: string; renders: string[] }) {
  const on = useFlag(flag)
  renders.push(`${flag}:${on}`)
  return <p data-testid={flag}>{String(on)}</p>
}

const MemoProbe = memo(Probe)

describe('useFlag', () => {
  it('should read a boolean flag for the provider context, else the default', () => {
    const client = new FlagClient({
      snapshot: snapshotOf([staffOnly, stringFlag('theme', { dark: 'dark' }, 'dark')]),
    })
    const wrapper = ({ children }: { children: ReactNode }) => (
      <FlagProvider client={client} context={{ email: 'ann@acme.com' }}>
        {children}
      </FlagProvider>
    )
    expect(renderHook(() => useFlag('staff-only'), { wrapper }).result.current).toBe(true)
    expect(renderHook(() => useFlag('theme', true), { wrapper }).result.current).toBe(true)
    expect(renderHook(() => useFlag('missing'), { wrapper }).result.current).toBe(false)
    expect(renderHook(() => useFlag('missing', true), { wrapper }).result.current).toBe(true)
  })

  it('should re-render for a change of its flag and not for a change of another', () => {
    const client = new FlagClient({
      snapshot: snapshotOf([booleanFlag('a'), booleanFlag('b')]),
    })
    const renders: string[] = []
    render(
      <FlagProvider client={client}>
        <Probe flag="a" renders={renders} />
        <Probe flag="b" renders={renders} />
      </FlagProvider>,
    )
    expect(renders).toEqual(['a:true', 'b:true'])
    act(() => {
      client.applyPatch(patch(2, 'b', booleanFlag('b', { version: 2, enabled: false })))
    })
    expect(renders).toEqual(['a:true', 'b:true', 'b:false'])
    expect(screen.getByTestId('b').textContent).toBe('false')
    // A change that does not change the value still re-renders that flag's readers only.
    act(() => {
      client.applyPatch(patch(3, 'a', booleanFlag('a', { version: 2, clientSide: true })))
    })
    expect(renders).toEqual(['a:true', 'b:true', 'b:false', 'a:true'])
  })

  it('should go from the default to the real value when the first snapshot arrives', () => {
    const client = new FlagClient()
    const { result } = renderHook(() => useFlag('a', true), {
      wrapper: ({ children }) => <FlagProvider client={client}>{children}</FlagProvider>,
    })
    expect(result.current).toBe(true)
    act(() => {
      client.setSnapshot(snapshotOf([booleanFlag('a', { enabled: false })]))
    })
    expect(result.current).toBe(false)
  })

  it('should re-evaluate when the context changes, and not re-render for an equal context', () => {
    const client = new FlagClient({ snapshot: snapshotOf([staffOnly]) })
    const renders: string[] = []
    const page = (email: string) => (
      <FlagProvider client={client} context={{ email, roles: ['user'] }}>
        <MemoProbe flag="staff-only" renders={renders} />
      </FlagProvider>
    )
    const { rerender } = render(page('bob@example.com'))
    rerender(page('bob@example.com'))
    rerender(page('bob@example.com'))
    expect(renders).toEqual(['staff-only:false'])
    rerender(page('ann@acme.com'))
    expect(renders).toEqual(['staff-only:false', 'staff-only:true'])
  })

  it('should count an exposure per mount and per change of the variant shown, once in StrictMode', () => {
    const client = new FlagClient({ snapshot: snapshotOf([booleanFlag('a')]) })
    const renders: string[] = []
    const page = () => (
      <StrictMode>
        <FlagProvider client={client}>
          <Probe flag="a" renders={renders} />
        </FlagProvider>
      </StrictMode>
    )
    const { rerender, unmount } = render(page())
    rerender(page())
    rerender(page())
    expect(renders.length).toBeGreaterThanOrEqual(3)
    expect(exposures(client)).toEqual({ a: { on: 1 } })
    act(() => {
      client.applyPatch(patch(2, 'a', booleanFlag('a', { version: 2, enabled: false })))
    })
    expect(exposures(client)).toEqual({ a: { off: 1 } })
    unmount()
    expect(client.signals.drain()).toBeNull()
  })

  it('should throw an error that says to add a FlagProvider when there is none', () => {
    const quiet = quietRenderErrors()
    try {
      expect(() => renderHook(() => useFlag('a'))).toThrow(FlagSdkError)
      expect(() => renderHook(() => useFlag('a'))).toThrow(
        /wrap your tree in <FlagProvider client=\{client\}>/,
      )
    } finally {
      quiet.restore()
    }
  })
})
