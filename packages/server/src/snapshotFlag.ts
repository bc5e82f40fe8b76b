import type { FlagConfig, FlagDefinition, SnapshotFlag } from '@floodgate/core'

/** A new flag's configuration in every environment: disabled, serving `offVariant`. */
export function defaultFlagConfig(definition: FlagDefinition): FlagConfig {
  return {
    enabled: false,
    killed: false,
    rules: [],
    fallthrough: { variant: definition.offVariant },
  }
}

/** The snapshot form of a flag: its definition's evaluated fields joined with one configuration. */
export function toSnapshotFlag(
  definition: FlagDefinition,
  config: FlagConfig,
  version: number,
): SnapshotFlag {
  return {
    key: definition.key,
    kind: definition.kind,
    version,
    variants: definition.variants,
    offVariant: definition.offVariant,
    enabled: config.enabled,
    killed: config.killed,
    salt: config.salt ?? definition.key,
    rules: config.rules,
    fallthrough: config.fallthrough,
    ...(config.rollout === undefined ? {} : { rollout: config.rollout }),
    clientSide: definition.clientSide,
  }
}

/** The segment keys a configuration's rules refer to. */
export function segmentKeysOf(config: Pick<FlagConfig, 'rules'>): Set<string> {
  const keys = new Set<string>()
  for (const rule of config.rules) {
    for (const condition of rule.conditions) {
      if (condition.op === 'inSegment' || condition.op === 'notInSegment') {
        for (const value of condition.values) keys.add(String(value))
      }
    }
  }
  return keys
}
