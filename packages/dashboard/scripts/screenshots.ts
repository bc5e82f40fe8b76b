/**
 * Screenshots of the main pages, for the READMEs: the real server on a
 * temporary database with a few flags, a drift between environments, and a
 * rollout whose failing canary the controller reverts under a bounded load;
 * headless chromium at a laptop's 1366 × 900.
 *
 *   pnpm --filter @floodgate/dashboard screenshots
 */
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { buildDashboard, launchBrowser, signIn, startDashboardServer } from '../test/harness'
import { startLoad } from '../test/load'

const out = (name: string) => fileURLToPath(new URL(`../docs/${name}.png`, import.meta.url))
const flagPath = (env: string, key: string) => `/v1/admin/environments/${env}/flags/${key}`

const built = await buildDashboard()
const s = await startDashboardServer(built.dir, {
  signalBucketMs: 1000,
  signalFlushMs: 200,
  rollouts: { tickMs: 200 },
})
const browser = await launchBrowser()
try {
  for (const [key, description, tags] of [
    ['new-checkout', 'The new checkout flow', ['checkout', 'web']],
    ['search-v2', 'Semantic search', ['search']],
    ['dark-mode', 'Dark theme for the web app', ['web']],
    ['checkout', 'The payment step rewritten', ['checkout']],
  ] as const) {
    await s.call('POST', '/v1/admin/flags', { key, kind: 'boolean', description, tags })
  }
  await s.call('POST', `${flagPath('development', 'new-checkout')}/rollout`, { percent: 100 })
  await s.call('POST', `${flagPath('production', 'new-checkout')}/rollout`, { percent: 25 })
  await s.call('POST', `${flagPath('development', 'search-v2')}/rollout`, { percent: 50 })
  await s.call('POST', `${flagPath('production', 'dark-mode')}/rollout`, { percent: 100 })
  await s.call('POST', `${flagPath('production', 'dark-mode')}/kill`, {
    reason: 'contrast bug on the settings page',
  })

  const { secret } = await s.call<{ secret: string }>('POST', '/v1/admin/tokens', {
    name: 'checkout-service',
    scope: 'server',
    environment: 'production',
  })
  // The canary fails 30 % of its requests, control 1 %: the controller reverts it.
  const load = await startLoad({
    url: s.url,
    token: secret,
    flag: 'checkout',
    fails: (treatment, n) => (treatment ? n % 10 < 3 : n % 100 === 0),
  })
  await s.call('POST', `${flagPath('production', 'checkout')}/rollouts`, {
    treatment: 'on',
    control: 'off',
    stages: [
      { percent: 10, minDurationSec: 2 },
      { percent: 50, minDurationSec: 2 },
      { percent: 100, minDurationSec: 2 },
    ],
  })

  const page: Page = await browser.context.newPage()
  await signIn(page, s.url, s.admin)
  await page.screenshot({ path: out('flags'), fullPage: true })

  await page.goto(`${s.url}/flags/new-checkout?env=production`)
  await page.getByRole('heading', { name: 'In production' }).waitFor()
  await page.screenshot({ path: out('flag'), fullPage: true })

  await page.goto(`${s.url}/flags/checkout/rollout?env=production`)
  await page.getByTestId('rollout-outcome').waitFor({ timeout: 60_000 })
  // Let the chart take the last signals in.
  await page.waitForTimeout(2000)
  await page.screenshot({ path: out('rollout'), fullPage: true })
  await load.stop()

  await page.goto(`${s.url}/environments`)
  await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor()
  await page.screenshot({ path: out('environments'), fullPage: true })

  await page.goto(`${s.url}/audit`)
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor()
  await page.screenshot({ path: out('audit'), fullPage: true })
  console.log(`screenshots written to ${fileURLToPath(new URL('../docs/', import.meta.url))}`)
} finally {
  await browser.close()
  await s.stop()
  built.remove()
}
