import { readFileSync } from 'node:fs'
import type { EvaluationContext, Logger } from '@openfeature/core'
import { FlagdCore } from '@openfeature/flagd-core'
import type { Adapter } from '../adapter'
import { definitionPath } from '../packageRoot'

const silent: Logger = { error() {}, warn() {}, info() {}, debug() {} }

/**
 * flagd's in-process evaluation engine (`FlagdCore`, what flagd's in-process
 * provider runs) on a flagd flag configuration; the canaries use flagd's
 * `fractional` operation (murmur3 of flag key + targeting key).
 */
export const adapter: Adapter<EvaluationContext> = {
  name: 'OpenFeature flagd',
  packageName: '@openfeature/flagd-core',
  context: (user) => ({ targetingKey: user.userId, country: user.country }),
  async start() {
    const core = new FlagdCore(undefined, silent)
    core.setConfigurations(readFileSync(definitionPath('flagd.flags.json'), 'utf8'))
    return {
      mode: 'sync',
      isEnabled: (flag, context) =>
        core.resolveBooleanEvaluation(flag, false, context, silent).value,
      close: () => {},
    }
  },
}
