import { fileURLToPath } from 'node:url'
/**
 * How long a kill takes to reach a browser page: from just before
 * `POST …/kill` (or `…/unkill`, alternating) until the page's checkout
 * heading has changed, as a MutationObserver in the page timestamps it.
 * The real server (the CLI with `--demo`), the example's production build
 * behind `vite preview`'s proxy, and headless chromium, all on this machine;
 * the page evaluated by the server (the default) and in the page, in turn.
 *
 *   pnpm build && pnpm --filter @floodgate/example-react-checkout bench [rounds]
 */
import { launchBrowser, serveApp, startDemoServer } from '../../../tooling/exampleHarness.ts'

const exampleRoot = fileURLToPath(new URL('..', import.meta.url))

const rounds = Number(process.argv[2] ?? 30)
const FLAG = '/v1/admin/environments/development/flags/new-checkout'

const server = await startDemoServer()
const app = await serveApp(exampleRoot, server.url, server.tokens.client)
const browser = await launchBrowser()
try {
  for (const mode of ['remote', 'local'] as const) await measure(mode)
} finally {
  await browser.close()
  await app.stop()
  await server.stop()
}

async function measure(mode: 'remote' | 'local'): Promise<void> {
  const page = await browser.newPage()
  await page.goto(`${app.url}?user=user-1&mode=${mode}`)
  await page.waitForFunction(() => document.querySelector('h2')?.textContent === 'New checkout')
  // Each change of the heading, stamped on the same epoch clock as this process.
  await page.evaluate(() => {
    const flips: { text: string; at: number }[] = []
    Object.assign(window, { flips })
    let last = document.querySelector('h2')?.textContent
    new MutationObserver(() => {
      const text = document.querySelector('h2')?.textContent
      if (text !== last) {
        last = text
        flips.push({ text: text ?? '', at: performance.timeOrigin + performance.now() })
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  })
  const latencies: number[] = []
  for (let round = 0; round < rounds; round++) {
    const kill = round % 2 === 0
    const expected = kill ? 'Legacy checkout' : 'New checkout'
    const sentAt = performance.timeOrigin + performance.now()
    await server.admin(
      'POST',
      `${FLAG}/${kill ? 'kill' : 'unkill'}`,
      kill ? { reason: 'bench' } : {},
    )
    const handle = await page.waitForFunction(
      (text) => {
        const flips = (window as { flips?: { text: string; at: number }[] }).flips ?? []
        return flips.filter((f) => f.text === text).pop()?.at
      },
      expected,
      { timeout: 10_000 },
    )
    const at = (await handle.jsonValue()) as number
    latencies.push(at - sentAt)
    await page.evaluate(() => {
      ;(window as { flips?: unknown[] }).flips?.splice(0)
    })
    // Let the server's write settle, as kills spaced in time would.
    await page.waitForTimeout(100)
  }
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? NaN
  const ms = (v: number) => `${v.toFixed(1)} ms`
  console.log(`kill → page, ${mode} evaluation (${rounds} rounds, kill and unkill alternating)`)
  console.log(
    `p50 ${ms(at(0.5))}  p90 ${ms(at(0.9))}  p99 ${ms(at(0.99))}  max ${ms(latencies.at(-1) ?? NaN)}  min ${ms(latencies[0] ?? NaN)}`,
  )
  await page.close()
}
