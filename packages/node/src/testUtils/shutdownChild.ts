/**
 * A process that uses the SDK as an application would, for the shutdown
 * tests: it connects, evaluates a flag, prints `ready`, then either stays up
 * until a signal (`MODE=signal`) or simply runs out of work (`MODE=exit`).
 */
import { createClient } from '../index'

const flags = createClient({
  url: process.env.FLOODGATE_URL as string,
  token: process.env.FLOODGATE_TOKEN as string,
  instanceId: process.env.INSTANCE_ID as string,
  signalsIntervalMs: 3_600_000,
})
await flags.ready()
for (let i = 0; i < 7; i++) flags.isEnabled('checkout', { userId: `user-${i}` })
process.stdout.write('ready\n')
if (process.env.MODE === 'signal') setInterval(() => {}, 1000)
