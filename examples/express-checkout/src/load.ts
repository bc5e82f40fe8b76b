import { parseArgs } from 'node:util'
import { LoadGenerator } from './loadGenerator'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string', default: '50' },
    users: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '0' },
  },
})
const ratePerSec = Number(values.rate)
const users = Number(values.users)
const durationSec = Number(values.duration)
if (!(ratePerSec > 0) || !Number.isInteger(users) || users < 1 || !(durationSec >= 0)) {
  console.error('usage: load [--rate 50] [--users 5000] [--duration 0 (until Ctrl-C)] [URL…]')
  process.exit(2)
}
const targets = positionals.length > 0 ? positionals : ['http://127.0.0.1:3000']
const load = new LoadGenerator({ targets, ratePerSec, users }).start()
console.log(`${ratePerSec} checkouts/s from ${users} users to ${targets.join(', ')}; Ctrl-C stops`)

const report = setInterval(() => {
  const s = load.stats()
  load.resetStats()
  console.log(
    `new ${s.new.requests} (${s.new.failures} failed)  legacy ${s.legacy.requests} (${s.legacy.failures} failed)` +
      (s.transportErrors > 0 ? `  unanswered ${s.transportErrors}` : '') +
      (s.skipped > 0 ? `  skipped ${s.skipped}` : ''),
  )
}, 1000)

const stop = () => {
  clearInterval(report)
  load.stop().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
if (durationSec > 0) setTimeout(stop, durationSec * 1000)
