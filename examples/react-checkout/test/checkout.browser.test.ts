import { fileURLToPath } from 'node:url'
import type { SignalsBatch } from '@floodgate/react'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type DemoServer,
  launchBrowser,
  type ServedApp,
  serveApp,
  startDemoServer,
} from '../../../tooling/exampleHarness.ts'

const exampleRoot = fileURLToPath(new URL('..', import.meta.url))

const FLAG = '/v1/admin/environments/development/flags/new-checkout'

let server: DemoServer
let app: ServedApp
let browser: Browser

beforeAll(async () => {
  server = await startDemoServer()
  app = await serveApp(exampleRoot, server.url, server.tokens.client)
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await app?.stop()
  await server?.stop()
})

async function openCheckout(mode: 'remote' | 'local'): Promise<Page> {
  const page = await browser.newPage()
  // Chromium does not show the body of a keepalive request to the test, so the page keeps a
  // copy of each signals body it sends (the request itself goes out unchanged).
  await page.addInitScript(() => {
    const sent: { keepalive: boolean; body: string }[] = []
    const original = window.fetch.bind(window)
    Object.assign(window, { sentSignals: sent })
    window.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input)
      if (url.endsWith('/v1/sdk/signals') && input instanceof Request) {
        // The local client's ky sends a Request.
        const { keepalive } = input
        void input
          .clone()
          .text()
          .then((body) => sent.push({ keepalive, body }))
      } else if (url.endsWith('/v1/sdk/signals') && typeof init?.body === 'string') {
        // The remote client sends a URL and its init.
        sent.push({ keepalive: init.keepalive === true, body: init.body })
      }
      return original(input, init)
    }
  })
  // user-1 is in the demo's 50 % rollout of new-checkout in development.
  await page.goto(`${app.url}?user=user-1&mode=${mode}`)
  const evaluated = mode === 'remote' ? 'by the server' : 'in the page'
  expect(await page.getByTestId('mode').textContent()).toBe(evaluated)
  return page
}

const heading = (page: Page) => page.getByRole('heading', { level: 2 })

/**
 * How long a page may take to show a change. Generous on purpose: how fast a kill reaches the
 * page is measured by `pnpm --filter @floodgate/example-react-checkout bench`, not asserted here.
 */
const PATIENCE = { timeout: 15_000 }

// The same page both ways: the server evaluating for the page (the default), or the page from the rules.
describe.each(['remote', 'local'] as const)('react-checkout in a real browser (%s)', (mode) => {
  it('should render the new checkout, and swap to the legacy one on a kill without a reload', async () => {
    const page = await openCheckout(mode)
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('New checkout')
    expect(await page.getByTestId('status').textContent()).toBe('ready')
    await page.evaluate(() => {
      ;(window as { loadedOnce?: boolean }).loadedOnce = true
    })

    await server.admin('POST', `${FLAG}/kill`, { reason: 'browser test' })
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('Legacy checkout')
    await server.admin('POST', `${FLAG}/unkill`, {})
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('New checkout')

    // The same document all along: the flips came over the stream, not from a reload.
    expect(await page.evaluate(() => (window as { loadedOnce?: boolean }).loadedOnce)).toBe(true)
    await page.close()
  })

  it('should show the legacy checkout when the new one crashes, and report the error to the server', async () => {
    const page = await openCheckout(mode)
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('New checkout')
    await page.getByRole('button', { name: 'Simulate a crash' }).click()
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('Legacy checkout')

    // The tab goes to the background: the client flushes its signals at once, with a keepalive
    // fetch. Headless chromium keeps every page visible, so the test sets what a hidden tab reports.
    const before = await acceptedBatches(server.url)
    const sent = page.waitForRequest(
      (request) => request.url().endsWith('/v1/sdk/signals') && request.method() === 'POST',
    )
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, value: 'hidden' })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    const request = await sent
    const copies = () =>
      page.evaluate(
        () =>
          (window as { sentSignals?: { keepalive: boolean; body: string }[] }).sentSignals ?? [],
      )
    await expect.poll(async () => (await copies()).length, PATIENCE).toBe(1)
    const [copy] = await copies()
    expect(copy?.keepalive).toBe(true)
    const batch = JSON.parse(copy?.body ?? 'null') as SignalsBatch
    expect(batch.sdk.name).toBe('@floodgate/react')
    expect(batch.flags['new-checkout']?.on?.errors).toBe(1)
    const response = await request.response()
    expect(response?.status()).toBe(202)
    // Nothing ignored: the server counted the error against new-checkout's variant `on`.
    expect(await response?.json()).toMatchObject({ duplicate: false, ignored: [] })
    expect(await acceptedBatches(server.url)).toBe(before + 1)
    await page.close()
  })
})

/** Signals batches the server accepted and counted, from its Prometheus metrics. */
async function acceptedBatches(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = /^floodgate_signal_batches_total\{result="accepted"\} (\d+)/m.exec(text)
  return Number(line?.[1] ?? 0)
}
