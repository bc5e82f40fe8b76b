import { fileURLToPath } from 'node:url'
import { createClient, type NodeFlagClient } from '@floodgate/node'
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
/** Generous on purpose: how fast a kill reaches a page is benchmarked, not asserted. */
const PATIENCE = { timeout: 15_000 }

let server: DemoServer
let app: ServedApp
let browser: Browser
let reference: NodeFlagClient

beforeAll(async () => {
  server = await startDemoServer()
  app = await serveApp(exampleRoot, server.url, server.tokens.client)
  browser = await launchBrowser()
  reference = createClient({ url: server.url, token: server.tokens.server, closeOnShutdown: false })
  await reference.ready()
})

afterAll(async () => {
  await reference?.close()
  await browser?.close()
  await app?.stop()
  await server?.stop()
})

const heading = (page: Page) => page.getByRole('heading', { level: 2 })

describe('openfeature-react in a real browser', () => {
  it('should follow a kill and an unkill through the OpenFeature provider without a reload', async () => {
    const page = await browser.newPage()
    await page.goto(`${app.url}?user=user-1`)
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('New checkout')
    expect(await page.getByTestId('reason').textContent()).toBe('SPLIT')
    await page.evaluate(() => Object.assign(window, { loadedOnce: true }))

    await server.admin('POST', `${FLAG}/kill`, { reason: 'browser test' })
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('Legacy checkout')
    expect(await page.getByTestId('reason').textContent()).toBe('KILLED')
    await server.admin('POST', `${FLAG}/unkill`, {})
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('New checkout')

    expect(await page.evaluate(() => (window as { loadedOnce?: boolean }).loadedOnce)).toBe(true)
    await page.close()
  })

  it('should evaluate for the new user after a context change, as the server SDK does', async () => {
    const control = Array.from({ length: 100 }, (_, i) => `user-${i + 2}`).find(
      (user) => !reference.isEnabled('new-checkout', { userId: user }),
    )
    expect(control).toBeDefined()
    const page = await browser.newPage()
    await page.goto(`${app.url}?user=user-1`)
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('New checkout')

    await page.getByLabel('User').fill(control as string)
    await page.getByRole('button', { name: 'Switch user' }).click()
    await expect.poll(() => heading(page).textContent(), PATIENCE).toBe('Legacy checkout')
    expect(await page.getByTestId('variant').textContent()).toBe('off')
    await page.close()
  })
})
