import { once } from 'node:events'
import {
  type ClientFeaturesResponse,
  type Context,
  InMemStorageProvider,
  Unleash,
} from 'unleash-client'
import type { Adapter } from '../adapter'
import { readDefinition } from '../packageRoot'

/**
 * unleash-client, offline: the features come from `bootstrap.data`,
 * `refreshInterval: 0` stops the poller before its first request, metrics
 * are off and the backup goes to memory instead of a file.
 */
export const adapter: Adapter<Context> = {
  name: 'Unleash',
  packageName: 'unleash-client',
  context: (user) => ({ userId: user.userId, properties: { country: user.country } }),
  async start() {
    const { features } = readDefinition('unleash.features.json') as ClientFeaturesResponse
    const unleash = new Unleash({
      appName: 'floodgate-benchmarks',
      url: 'http://127.0.0.1:9/api',
      refreshInterval: 0,
      disableMetrics: true,
      storageProvider: new InMemStorageProvider(),
      bootstrap: { data: features },
    })
    const synchronized = once(unleash, 'synchronized')
    if (!unleash.isSynchronized()) await synchronized
    return {
      mode: 'sync',
      isEnabled: (flag, context) => unleash.isEnabled(flag, context),
      close: () => unleash.destroy(),
    }
  },
}
