import { existsSync, readFileSync } from 'node:fs'
import { startCheckoutService } from './checkoutService'

/** The server token: `FLOODGATE_SERVER_TOKEN`, else the demo's, which `pnpm start` saves. */
function serverToken(): string {
  if (process.env.FLOODGATE_SERVER_TOKEN) return process.env.FLOODGATE_SERVER_TOKEN
  const saved = new URL('../../../.floodgate/demo-tokens.json', import.meta.url)
  if (existsSync(saved)) {
    const { server } = JSON.parse(readFileSync(saved, 'utf8')) as { server?: string }
    if (server) return server
  }
  throw new Error(
    'No server token: run `pnpm start` at the repository root first, or set FLOODGATE_SERVER_TOKEN',
  )
}

const service = await startCheckoutService({
  url: process.env.FLOODGATE_URL ?? 'http://localhost:4242',
  token: serverToken(),
})
// Ten users a second; every twentieth new checkout fails, so the health has something to show.
let tick = 0
const timer = setInterval(async () => {
  const served = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      service.checkout(`user-${tick * 10 + i}`, { fail: i === 0 && tick % 2 === 0 }),
    ),
  )
  tick++
  console.log(`new checkout for ${served.filter((s) => s === 'new').length} of 10 users`)
}, 1000)
process.once('SIGINT', async () => {
  clearInterval(timer)
  await service.close()
})
