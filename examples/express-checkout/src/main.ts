import { readCheckoutConfig } from './checkoutConfig'
import { startCheckoutServer } from './checkoutServer'

const config = readCheckoutConfig(process.env)
if (!config.success) {
  console.error(`express-checkout: invalid configuration\n${config.error}`)
  process.exit(2)
}
const checkout = await startCheckoutServer(config.data)
console.log(
  `express-checkout ${config.data.instanceId} listening on ${checkout.url} (flags from ${config.data.floodgateUrl})`,
)

let stopping = false
const stop = () => {
  if (stopping) process.exit(1)
  stopping = true
  checkout.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`express-checkout: shutdown failed: ${String(error)}`)
      process.exit(1)
    },
  )
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
