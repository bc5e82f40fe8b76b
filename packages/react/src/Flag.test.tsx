import { FlagClient, type FlagClientEvent } from '@floodgate/core'
import { act, render, screen } from '@testing-library/react'
import { type ReactNode, StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Flag } from './Flag'
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
import { quietRenderErrors } from './testUtils/quiet'

const quietLogger = { warn: () => {}, error: () => {} }

function Boom({ what = 'new checkout broke' }: { what?: string }): ReactNode {
  throw new Error(what)
}

function Feature({ broken }: { broken: boolean }) {
  if (broken) throw new Error('broken')
  return <p>new</p>
}

/** Counts of errors per variant of `key` since the last drain. */
function errorsOf(client: FlagClient, key: string): Record<string, number> {
  const variants = client.signals.drain()?.flags[key] ?? {}
  return Object.fromEntries(Object.entries(variants).map(([v, s]) => [v, s.errors]))
}

describe('Flag', () => {
  it('should render the children when the flag is on, else the fallback', () => {
    const client = new FlagClient({
      snapshot: snapshotOf([booleanFlag('on'), booleanFlag('off', { enabled: false })]),
    })
    render(
      <FlagProvider client={client}>
        <Flag name="on" fallback={<p>legacy 1</p>}>
          <p>new 1</p>
        </Flag>
        <Flag name="off" fallback={<p>legacy 2</p>}>
          <p>new 2</p>
        </Flag>
        <Flag name="missing" fallback={<p>legacy 3</p>}>
          <p>new 3</p>
        </Flag>
        <Flag name="off">
          <p>new 4</p>
        </Flag>
      </FlagProvider>,
    )
    expect(screen.getAllByRole('paragraph').map((p) => p.textContent)).toEqual([
      'new 1',
      'legacy 2',
      'legacy 3',
    ])
  })

  it('should match a variant, and give a render function the details', () => {
    const client = new FlagClient({
      snapshot: snapshotOf([stringFlag('layout', { wizard: 'w', 'one-page': 'o' }, 'wizard')]),
    })
    render(
      <FlagProvider client={client}>
        <Flag name="layout" variant="one-page" fallback={<p>not one-page</p>}>
          <p>one-page</p>
        </Flag>
        <Flag name="layout" variant="wizard">
          {(details) => <p>{`${details.variant}=${String(details.value)} ${details.reason}`}</p>}
        </Flag>
        <Flag name="layout" fallback={<p>a string flag is not on</p>}>
          <p>on</p>
        </Flag>
      </FlagProvider>,
    )
    expect(screen.getAllByRole('paragraph').map((p) => p.textContent)).toEqual([
      'not one-page',
      'wizard=w STATIC',
      'a string flag is not on',
    ])
  })

  it('should switch between children and fallback when its flag changes', () => {
    const client = new FlagClient({ snapshot: snapshotOf([booleanFlag('a')]) })
    render(
      <FlagProvider client={client}>
        <Flag name="a" fallback={<p>legacy</p>}>
          <p>new</p>
        </Flag>
      </FlagProvider>,
    )
    act(() => {
      client.applyPatch(patch(2, 'a', booleanFlag('a', { killed: true })))
    })
    expect(screen.getByRole('paragraph').textContent).toBe('legacy')
    expect(exposures(client)).toEqual({ a: { on: 1, off: 1 } })
  })

  describe('error boundary', () => {
    let quiet: { restore: () => void }
    beforeEach(() => {
      quiet = quietRenderErrors()
    })
    afterEach(() => quiet.restore())

    it('should count a render error for the variant served and render the fallback', () => {
      const client = new FlagClient({
        snapshot: snapshotOf([stringFlag('layout', { wizard: 'w', 'one-page': 'o' }, 'wizard')]),
      })
      render(
        <StrictMode>
          <FlagProvider client={client}>
            <Flag name="layout" variant="wizard" fallback={<p>one-page</p>}>
              <Boom />
            </Flag>
            <p>the rest of the page</p>
          </FlagProvider>
        </StrictMode>,
      )
      expect(screen.getAllByRole('paragraph').map((p) => p.textContent)).toEqual([
        'one-page',
        'the rest of the page',
      ])
      expect(errorsOf(client, 'layout')).toEqual({ wizard: 1 })
    })

    it('should catch what a render function throws', () => {
      const client = new FlagClient({ snapshot: snapshotOf([booleanFlag('a')]) })
      render(
        <FlagProvider client={client}>
          <Flag name="a" fallback={<p>legacy</p>}>
            {() => <Boom />}
          </Flag>
          <Flag name="a" fallback={<p>legacy too</p>}>
            {(details) => {
              throw new Error(`broken for ${details.variant}`)
            }}
          </Flag>
        </FlagProvider>,
      )
      expect(screen.getAllByRole('paragraph').map((p) => p.textContent)).toEqual([
        'legacy',
        'legacy too',
      ])
      expect(errorsOf(client, 'a')).toEqual({ on: 2 })
    })

    it('should trip the local guard, so every reader of the flag falls back to the control', () => {
      const user = userServed('on')
      const client = new FlagClient({
        snapshot: snapshotOf([guardedCanary(1, 2)]),
        logger: quietLogger,
      })
      const trips: FlagClientEvent[] = []
      client.on('localGuardTrip', (event) => trips.push(event))
      render(
        <FlagProvider client={client} context={{ userId: user }}>
          <Flag name="new-checkout" fallback={<p>legacy header</p>}>
            <p>new header</p>
          </Flag>
          <Flag name="new-checkout" fallback={<p>legacy checkout</p>}>
            <Boom what="first" />
          </Flag>
          <Flag name="new-checkout" fallback={<p>legacy cart</p>}>
            <Boom what="second" />
          </Flag>
        </FlagProvider>,
      )
      expect(screen.getAllByRole('paragraph').map((p) => p.textContent)).toEqual([
        'legacy header',
        'legacy checkout',
        'legacy cart',
      ])
      expect(trips).toMatchObject([
        { flagKey: 'new-checkout', treatment: 'on', control: 'off', errors: 2 },
      ])
      expect((trips[0] as { lastError: Error }).lastError.message).toBe('second')
      const batch = client.signals.drain()
      expect(batch?.tripped).toEqual(['new-checkout'])
      expect(batch?.flags['new-checkout']?.on).toMatchObject({ exposures: 3, errors: 2 })
    })

    it('should keep the fallback until the flag changes, then give the children another chance', () => {
      const client = new FlagClient({ snapshot: snapshotOf([booleanFlag('a')]) })
      const page = (broken: boolean) => (
        <FlagProvider client={client}>
          <Flag name="a" fallback={<p>legacy</p>}>
            <Feature broken={broken} />
          </Flag>
        </FlagProvider>
      )
      const { rerender } = render(page(true))
      rerender(page(true))
      expect(screen.getByRole('paragraph').textContent).toBe('legacy')
      expect(errorsOf(client, 'a')).toEqual({ on: 1 })
      rerender(page(false))
      expect(screen.getByRole('paragraph').textContent).toBe('legacy')
      act(() => {
        client.applyPatch(patch(2, 'a', booleanFlag('a', { version: 2 })))
      })
      expect(screen.getByRole('paragraph').textContent).toBe('new')
      expect(client.signals.drain()).toBeNull()
    })

    it('should throw an error that says to add a FlagProvider when there is none', () => {
      expect(() => render(<Flag name="a">x</Flag>)).toThrow(/<FlagProvider/)
    })
  })
})
