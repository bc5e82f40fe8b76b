import { Flagsmith, LocalFileHandler } from 'flagsmith-nodejs'
import type { Adapter } from '../adapter'
import { definitionPath } from '../packageRoot'

interface FlagsmithIdentity {
  identifier: string
  traits: { country: string }
}

/**
 * flagsmith-nodejs in offline mode: `LocalFileHandler` reads the environment
 * document and every call evaluates locally. Flagsmith evaluates one identity
 * at a time (`getIdentityFlags`, all flags at once) and the app then reads one
 * flag from the result, which is how its documentation checks a flag for a user.
 */
export const adapter: Adapter<FlagsmithIdentity> = {
  name: 'Flagsmith',
  packageName: 'flagsmith-nodejs',
  context: (user) => ({ identifier: user.userId, traits: { country: user.country } }),
  async start() {
    const flagsmith = new Flagsmith({
      offlineMode: true,
      enableLocalEvaluation: true,
      offlineHandler: new LocalFileHandler(definitionPath('flagsmith.environment.json')),
    })
    return {
      mode: 'async',
      isEnabled: async (flag, { identifier, traits }) =>
        (await flagsmith.getIdentityFlags(identifier, traits)).isFeatureEnabled(flag),
      close: () => flagsmith.close(),
    }
  },
}
