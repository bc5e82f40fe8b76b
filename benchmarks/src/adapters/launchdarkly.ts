import { basicLogger, init, type LDContext } from '@launchdarkly/node-server-sdk'
import { FileDataSourceFactory } from '@launchdarkly/node-server-sdk/integrations'
import type { Adapter } from '../adapter'
import { definitionPath } from '../packageRoot'

/**
 * LaunchDarkly's Node server SDK with its file data source: full flag
 * definitions (rules, clauses, percentage rollouts) run through the real
 * evaluator. Analytics and diagnostic events are off, so nothing leaves the
 * process; with them on, each evaluation would also feed the event summarizer.
 */
export const adapter: Adapter<LDContext> = {
  name: 'LaunchDarkly',
  packageName: '@launchdarkly/node-server-sdk',
  context: (user) => ({ kind: 'user', key: user.userId, country: user.country }),
  async start() {
    const files = new FileDataSourceFactory({ paths: [definitionPath('launchdarkly.flags.json')] })
    const client = init('sdk-offline-benchmark', {
      updateProcessor: files.getFactory(),
      sendEvents: false,
      diagnosticOptOut: true,
      logger: basicLogger({ level: 'warn' }),
    })
    await client.waitForInitialization({ timeout: 10 })
    return {
      mode: 'async',
      isEnabled: async (flag, context) => (await client.variation(flag, context, false)) === true,
      close: () => client.close(),
    }
  },
}
