import type { FlagConfig } from './api/types'

/**
 * The part of a configuration that is promoted between environments and
 * compared for drift: what it serves to whom. The kill switch is an
 * environment's own emergency state and the rollout reference belongs to
 * that environment's controller, so neither is copied nor counted.
 */
export function promotable(
  config: FlagConfig,
): Pick<FlagConfig, 'enabled' | 'rules' | 'fallthrough' | 'salt'> {
  return {
    enabled: config.enabled,
    rules: config.rules,
    fallthrough: config.fallthrough,
    ...(config.salt === undefined ? {} : { salt: config.salt }),
  }
}

/** Whether two configurations serve the same thing (see {@link promotable}). */
export function sameTargeting(a: FlagConfig, b: FlagConfig): boolean {
  return JSON.stringify(promotable(a)) === JSON.stringify(promotable(b))
}

/** The target's configuration with the source's targeting: its own kill switch stays. */
export function promoted(source: FlagConfig, target: FlagConfig): FlagConfig {
  const { rollout: _, salt: _salt, ...rest } = target
  return { ...rest, ...promotable(source) }
}
