import {
  evaluateSnapshot,
  FlagClient,
  type FlagReader,
  RemoteFlagClient,
  type Snapshot,
} from '@floodgate/core'
import { act } from '@testing-library/react'
import type { Root } from 'react-dom/client'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Flag } from './Flag'
import { FlagProvider } from './FlagProvider'
import {
  exposures,
  guardedCanary,
  patch,
  snapshotOf,
  stringFlag,
  userServed,
} from './testUtils/fixtures'
import { useFlag } from './useFlag'
import { useFlagsStatus } from './useFlagsStatus'
import { useFlagValue } from './useFlagValue'
import { useVariant } from './useVariant'

const snapshot = snapshotOf([
  guardedCanary(),
  stringFlag('theme', { dark: 'dark', light: 'light' }, 'dark'),
])
const user = userServed('on')

/** What each render of the page showed, in order, on either side. */
let renders: string[] = []

function Page() {
  const status = useFlagsStatus().status
  const line = `${status} new-checkout=${useFlag('new-checkout')} theme=${useFlagValue('theme', 'light')} variant=${useVariant('new-checkout')}`
  renders.push(line)
  return (
    <main>
      <p>{line}</p>
      <Flag name="new-checkout" fallback={<p>legacy checkout</p>}>
        <p>new checkout</p>
      </Flag>
    </main>
  )
}

/** The server renders the page for a request; the browser hydrates it with its own client. */
async function serverThenBrowser(server: FlagReader, browser: FlagReader) {
  renders = []
  const html = renderToString(
    <FlagProvider client={server} context={{ userId: user }}>
      <Page />
    </FlagProvider>,
  )
  const serverRenders = renders
  renders = []
  const container = document.createElement('div')
  container.innerHTML = html
  document.body.append(container)
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
  const recoverable = vi.fn()
  let root: Root | undefined
  await act(async () => {
    root = hydrateRoot(
      container,
      <FlagProvider client={browser} context={{ userId: user }}>
        <Page />
      </FlagProvider>,
      { onRecoverableError: recoverable },
    )
  })
  consoleError.mockRestore()
  cleanups.push(() => {
    act(() => root?.unmount())
    container.remove()
  })
  return {
    html,
    serverRenders,
    container,
    hydrationProblems: [...consoleError.mock.calls, ...recoverable.mock.calls],
  }
}

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

describe('FlagProvider', () => {
  describe('server rendering and hydration', () => {
    it('should hydrate a bootstrapped snapshot with the server values, no warning and no flip', async () => {
      const server = new FlagClient({ snapshot })
      // The page carries the snapshot as JSON; the browser's client starts from it.
      const bootstrap = JSON.parse(JSON.stringify(snapshot)) as Snapshot
      const browser = new FlagClient({ snapshot: bootstrap })
      const result = await serverThenBrowser(server, browser)
      expect(result.serverRenders).toEqual(['ready new-checkout=true theme=dark variant=on'])
      expect(result.hydrationProblems).toEqual([])
      expect(renders).toEqual(result.serverRenders)
      expect(result.container.innerHTML).toBe(result.html)
      expect(result.container.textContent).toContain('new checkout')

      // Only the browser counts exposures (one per reader: useFlag, useVariant, Flag)
      expect(server.signals.drain()).toBeNull()
      expect(exposures(browser)).toEqual({ 'new-checkout': { on: 3 }, theme: { dark: 1 } })

      // Then updates take over.
      act(() => {
        browser.applyPatch(patch(2, 'new-checkout', { ...guardedCanary(2), killed: true }))
      })
      expect(result.container.textContent).toContain('legacy checkout')
      expect(renders.at(-1)).toBe('ready new-checkout=false theme=dark variant=off')
    })

    it('should hydrate a remote client from the evaluation the server render used', async () => {
      // The server holds the full snapshot (as @floodgate/node does), a server-only flag included.
      const full = snapshotOf([
        ...Object.values(snapshot.flags).map((flag) => ({ ...flag, clientSide: true })),
        { ...stringFlag('backend-only', { a: 'a' }, 'a'), clientSide: false },
      ])
      const server = new FlagClient({ snapshot: full })
      const context = { userId: user }
      const evaluation = evaluateSnapshot(full, context, { clientSideOnly: true })
      expect(Object.keys(evaluation.flags).sort()).toEqual(['new-checkout', 'theme'])
      // The page carries the evaluation as JSON; the browser's remote client starts from it.
      const browser = new RemoteFlagClient({
        url: 'http://flags.test',
        token: 'fg_client_test',
        context,
        bootstrap: JSON.parse(JSON.stringify(evaluation)),
      })
      const result = await serverThenBrowser(server, browser)
      expect(result.serverRenders).toEqual(['ready new-checkout=true theme=dark variant=on'])
      expect(result.hydrationProblems).toEqual([])
      expect(renders).toEqual(result.serverRenders)
      expect(result.container.innerHTML).toBe(result.html)
      expect(browser.signals.drain()?.flags).toEqual({
        'new-checkout': { on: expect.objectContaining({ exposures: 3 }) },
        theme: { dark: expect.objectContaining({ exposures: 1 }) },
      })

      // Then the stream's patches take over.
      act(() => {
        browser.applyEvaluationPatch({
          version: 2,
          flags: { 'new-checkout': { version: 2, value: false, variant: 'off', reason: 'KILLED' } },
        })
      })
      expect(result.container.textContent).toContain('legacy checkout')
      expect(renders.at(-1)).toBe('ready new-checkout=false theme=dark variant=off')
    })

    it('should hydrate the defaults when neither side has a snapshot yet', async () => {
      const browser = new FlagClient()
      const result = await serverThenBrowser(new FlagClient(), browser)
      expect(result.hydrationProblems).toEqual([])
      expect(renders).toEqual(['loading new-checkout=false theme=light variant=undefined'])
      act(() => {
        browser.setSnapshot(snapshot)
      })
      expect(renders.at(-1)).toBe('ready new-checkout=true theme=dark variant=on')
    })

    it('should be caught out when the browser does not start from the server snapshot', async () => {
      const result = await serverThenBrowser(new FlagClient({ snapshot }), new FlagClient())
      expect(result.hydrationProblems.length).toBeGreaterThan(0)
    })
  })
})
