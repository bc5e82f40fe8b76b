import { readFileSync } from 'node:fs'
import { type Context, FlagClient, parseSnapshot } from '@floodgate/core'
import type { Adapter } from '../adapter'
import { definitionPath } from '../packageRoot'

/**
 * Floodgate's client on a snapshot read from disk, with its defaults: every
 * `isEnabled` also counts an exposure for the health signals, which the peers
 * above run without (their analytics need a network).
 */
export const adapter: Adapter<Context> = {
  name: 'Floodgate',
  packageName: '@floodgate/core',
  context: (user) => ({ userId: user.userId, country: user.country }),
  async start() {
    const parsed = parseSnapshot(
      JSON.parse(readFileSync(definitionPath('floodgate.snapshot.json'), 'utf8')),
    )
    if (!parsed.success) throw new Error(`floodgate.snapshot.json: ${parsed.error.message}`)
    const client = new FlagClient({ snapshot: parsed.data })
    return {
      mode: 'sync',
      isEnabled: (flag, context) => client.isEnabled(flag, context),
      close: () => {},
    }
  },
}
