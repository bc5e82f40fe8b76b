import { type FeatureApiResponse, GrowthBookClient, type UserContext } from '@growthbook/growthbook'
import type { Adapter } from '../adapter'
import { readDefinition } from '../packageRoot'

/**
 * GrowthBook's multi-user server client (`GrowthBookClient`), given its
 * features with `initSync({ payload })`: no client key, so no fetch, no
 * streaming and no polling.
 */
export const adapter: Adapter<UserContext> = {
  name: 'GrowthBook',
  packageName: '@growthbook/growthbook',
  context: (user) => ({ attributes: { id: user.userId, country: user.country } }),
  async start() {
    const gb = new GrowthBookClient()
    gb.initSync({ payload: readDefinition('growthbook.features.json') as FeatureApiResponse })
    return {
      mode: 'sync',
      isEnabled: (flag, context) => gb.isOn(flag, context),
      close: () => gb.destroy(),
    }
  },
}
