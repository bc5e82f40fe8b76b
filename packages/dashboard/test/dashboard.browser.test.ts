import { createClient, type NodeFlagClient } from '@floodgate/node'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildDashboard,
  type DashboardServer,
  launchBrowser,
  signIn,
  startDashboardServer,
} from './harness'
import { type Load, startLoad } from './load'

/**
 * How long the page may take to show a change. Generous on purpose: how fast a change travels is measured by
 * the benchmarks, not asserted here.
 */
const PATIENCE = { timeout: 30_000 }

describe('the dashboard in a real browser against the real server', () => {
  let built: Awaited<ReturnType<typeof buildDashboard>>
  let s: DashboardServer
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  let sdkToken: string
  const clients: NodeFlagClient[] = []
  const loads: Load[] = []

  beforeAll(async () => {
    built = await buildDashboard()
    s = await startDashboardServer(built.dir, {
      signalBucketMs: 1000,
      signalFlushMs: 200,
      rollouts: { tickMs: 200 },
    })
    browser = await launchBrowser()
    sdkToken = (
      await s.call<{ secret: string }>('POST', '/v1/admin/tokens', {
        name: 'checkout-service',
        scope: 'server',
        environment: 'production',
      })
    ).secret
  })
  afterAll(async () => {
    await Promise.all(loads.map((l) => l.stop()))
    await Promise.all(clients.map((c) => c.close()))
    await browser?.close()
    await s?.stop()
    built?.remove()
  })

  const users = Array.from({ length: 400 }, (_, i) => ({ userId: `person-${i}` }))
  const share = (client: NodeFlagClient, flag: string) =>
    users.filter((u) => client.isEnabled(flag, u)).length / users.length
  const newPage = async (): Promise<Page> => {
    const page = await browser.context.newPage()
    await signIn(page, s.url, s.admin)
    return page
  }

  it('should sign in, create a flag, set 25 %, kill it, and an SDK client receives each change', async () => {
    const page = await newPage()
    await page.getByRole('link', { name: 'New flag' }).click()
    await page.getByLabel(/^Key/).fill('new-checkout')
    await page.getByLabel('Description').fill('The new checkout flow')
    await page.getByRole('button', { name: 'Create flag' }).click()
    await page.getByRole('heading', { name: 'In production' }).waitFor()

    const client = createClient({
      url: s.url,
      token: sdkToken,
      closeOnShutdown: false,
      logger: { warn: () => {}, error: () => {} },
    })
    clients.push(client)
    await client.ready({ timeoutMs: 10_000 })
    expect(share(client, 'new-checkout')).toBe(0)

    await page.getByLabel('Percentage served on').fill('25')
    await page.getByRole('button', { name: 'Set percentage…' }).click()
    const confirm = page.getByRole('dialog', { name: 'Set new-checkout to 25 % in production?' })
    await confirm.getByRole('button', { name: 'Serve 25 %' }).click()
    await expect
      .poll(() => client.getSnapshot()?.flags['new-checkout']?.fallthrough, PATIENCE)
      .toEqual({
        split: [
          { variant: 'on', weight: 2500 },
          { variant: 'off', weight: 7500 },
        ],
        by: 'userId',
      })
    expect(share(client, 'new-checkout')).toBeGreaterThan(0.15)
    expect(share(client, 'new-checkout')).toBeLessThan(0.35)
    await page.getByText('25 % on', { exact: true }).first().waitFor()

    await page.getByRole('button', { name: 'Kill…' }).click()
    const kill = page.getByRole('dialog', { name: 'Kill new-checkout in production?' })
    await kill.getByRole('button', { name: 'Kill the flag' }).click()
    await kill.getByText('Reason is required').waitFor()
    await kill.getByLabel(/Reason/).fill('checkout errors in the browser test')
    await kill.getByRole('button', { name: 'Kill the flag' }).click()
    await expect
      .poll(() => client.getDetails('new-checkout', true, { userId: 'person-1' }).reason, PATIENCE)
      .toBe('KILLED')
    expect(share(client, 'new-checkout')).toBe(0)
    await page.getByText('checkout errors in the browser test').waitFor()
    await page.getByRole('button', { name: 'Unkill…' }).waitFor()
    await page.close()
  })

  it('should start a rollout whose canary fails under load, and show the automatic revert as it happens', async () => {
    await s.call('POST', '/v1/admin/flags', {
      key: 'checkout',
      kind: 'boolean',
      description: 'A buggy new checkout',
    })
    // The treatment fails 60 % of requests, the control 2 %.
    const load = await startLoad({
      url: s.url,
      token: sdkToken,
      flag: 'checkout',
      fails: (treatment, n) => (treatment ? n % 5 < 3 : n % 50 === 0),
    })
    loads.push(load)

    const page = await newPage()
    await page.goto(`${s.url}/flags/checkout/rollout?env=production`)
    await page.getByRole('heading', { name: 'Start a staged rollout in production' }).waitFor()
    // Short stages: 10 % then 50 % then 100 %, two seconds each at least.
    for (const [i, percent] of [
      [1, '10'],
      [2, '50'],
      [3, '100'],
    ] as const) {
      await page.getByLabel(`Stage ${i} percent`).fill(percent)
      await page.getByLabel(`Stage ${i} minimum duration in seconds`).fill('2')
    }
    await page.getByRole('button', { name: 'Remove stage 5' }).click()
    await page.getByRole('button', { name: 'Remove stage 4' }).click()
    await page.getByRole('button', { name: 'Start the rollout in production' }).click()
    await expect
      .poll(() => page.getByTestId('rollout-status').textContent(), PATIENCE)
      .toMatch(/running|reverted/)
    await page.evaluate(() => Object.assign(window, { sameDocument: true }))

    const outcome = page.getByTestId('rollout-outcome')
    await outcome.waitFor(PATIENCE)
    expect(await outcome.textContent()).toContain('Reverted automatically to 0 %')
    expect(await outcome.textContent()).toMatch(/error rate is above control's/)
    expect(await page.getByTestId('rollout-status').textContent()).toBe('reverted')
    await page.getByText('the alarm fired').first().waitFor()
    // The same document all along: the revert came over the admin stream, not from a reload.
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    )
    // Every SDK client serves control again.
    await expect.poll(() => load.clients.map((c) => share(c, 'checkout')), PATIENCE).toEqual([0, 0])
    // And the flags list says so too, without a reload of the page's data by hand.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Flags' })
      .click()
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'checkout', exact: true }) })
    await row.getByText('0 % on').waitFor(PATIENCE)
    await page.close()
  })
})
