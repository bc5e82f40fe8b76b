// A tour of @floodgate/core without a server: a client built from a bootstrap
// snapshot evaluates flags locally, a canary grows from 5 % to 25 % without
// flipping anyone back, the kill switch turns it off for everyone, and health
// signals (with the local guard) are what an SDK would send to the server.
import { readFile } from 'node:fs/promises'
import { FlagClient } from '@floodgate/core'

const USERS = Array.from({ length: 10_000 }, (_, i) => ({
  userId: `user-${i}`,
  email: `u${i}@example.com`,
}))

const client = new FlagClient({
  context: { appVersion: '2.3.0' },
  sdk: { name: 'core-evaluation-example', version: '0.0.0', instanceId: 'example-1' },
})
client.on('change', (e) =>
  console.log(`  · change: ${e.flagKeys.join(', ')} (environment version ${e.version})`),
)
client.on('localGuardTrip', (e) =>
  console.log(
    `  · local guard tripped on ${e.flagKey}: ${e.errors} errors, ${e.successes} successes → serving "${e.control}"`,
  ),
)

const bootstrap = await readFile(new URL('./snapshot.json', import.meta.url), 'utf8')
client.setSnapshotFromJson(bootstrap)
const snapshot = client.getSnapshot()
console.log(
  `Loaded snapshot v${snapshot.version} of ${snapshot.environment}: ${Object.keys(snapshot.flags).join(', ')}\n`,
)

const inCanary = USERS.find((u) => client.isEnabled('new-checkout', u))
console.log('1. Evaluating for a few users')
for (const context of [
  { userId: 'user-1', email: 'ana@acme.com' },
  { userId: 'user-1' },
  { userId: inCanary.userId },
  { email: 'nobody@example.com' },
  { userId: 'user-1', appVersion: '1.9.0' },
]) {
  const checkout = client.getDetails('new-checkout', false, context)
  const theme = client.getValue('checkout-theme', 'classic', context)
  const why =
    checkout.errorCode ??
    checkout.reason + (checkout.ruleIndex === undefined ? '' : ` #${checkout.ruleIndex}`)
  console.log(
    `  ${JSON.stringify(context).padEnd(46)} new-checkout=${String(checkout.value).padEnd(5)} (${why}), theme=${theme}`,
  )
}

const share = () => USERS.filter((u) => client.isEnabled('new-checkout', u)).length / USERS.length
const onAt5 = new Set(USERS.filter((u) => client.isEnabled('new-checkout', u)).map((u) => u.userId))
console.log(
  `\n2. The canary: ${(share() * 100).toFixed(1)} % of ${USERS.length} users see new-checkout at 5 %`,
)

const flag = snapshot.flags['new-checkout']
const rollout = (percent, version) =>
  client.applyPatch({
    type: 'flag',
    previousVersion: client.getSnapshot().version,
    version,
    key: 'new-checkout',
    flag: {
      ...flag,
      version: flag.version + version - 42,
      fallthrough: {
        split: [
          { variant: 'on', weight: percent * 100 },
          { variant: 'off', weight: 10000 - percent * 100 },
        ],
        by: 'userId',
      },
    },
  })
rollout(25, 43)
const flippedBack = [...onAt5].filter(
  (userId) => !client.isEnabled('new-checkout', { userId }),
).length
console.log(
  `   raised to 25 %: ${(share() * 100).toFixed(1)} % see it; users switched back off: ${flippedBack}`,
)

console.log('\n3. Health signals: the treatment fails for this process')
client.signals.drain()
for (const user of USERS.slice(0, 400)) {
  try {
    client.guard('new-checkout', user, () => {
      if (client.isEnabled('new-checkout', user) && Number(user.userId.slice(5)) % 3 !== 0) {
        throw new Error('payment provider timeout')
      }
      return 'ok'
    })
  } catch {
    // the application would show an error page here
  }
}
const batch = client.signals.drain()
for (const [variant, s] of Object.entries(batch.flags['new-checkout'])) {
  console.log(
    `   ${variant.padEnd(3)} exposures=${s.exposures} successes=${s.successes} errors=${s.errors} errorUnits=${s.errorUnits}`,
  )
}
console.log(
  `   tripped: ${JSON.stringify(batch.tripped ?? [])}; the server hears this at once ('urgent')`,
)
console.log(`   after the trip: ${(share() * 100).toFixed(1)} % see new-checkout in this process`)

console.log('\n4. The kill switch')
client.applyPatch({
  type: 'flag',
  previousVersion: client.getSnapshot().version,
  version: 44,
  key: 'new-checkout',
  flag: { ...client.getSnapshot().flags['new-checkout'], version: flag.version + 2, killed: true },
})
const killed = client.getDetails('new-checkout', false, { userId: 'user-1', email: 'ana@acme.com' })
console.log(
  `   ${(share() * 100).toFixed(1)} % see new-checkout; staff get ${killed.value} (${killed.reason})`,
)
