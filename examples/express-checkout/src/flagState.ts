import type { FlagClient, Serve, SnapshotFlag } from '@floodgate/node'

/** What one instance serves for a boolean flag, as `GET /flag-state` reports it. */
export interface FlagState {
  flag: string
  instanceId: string
  /** The client's status: `loading`, `ready`, `stale` or `error`. */
  status: string
  /** The environment version of the snapshot held; `null` before the first. */
  snapshotVersion: number | null
  /** The flag's own version; `null` when the flag is not in the snapshot. */
  flagVersion: number | null
  enabled: boolean
  killed: boolean
  /** Share of units (in %) the fallthrough serves `true`, after kill, off switch and local guard. */
  percent: number
  /** Rules that may serve some units otherwise than the fallthrough. */
  rules: number
  /** This process's local guard stopped serving the rollout's treatment. */
  localGuardTripped: boolean
  /** The staged rollout running on the flag, if any. */
  rollout: { id: string; stage: number } | null
}

/**
 * Tracks what this instance serves for one boolean flag, from the snapshot
 * it holds and its local guard: the answer a fleet-wide check needs ("does
 * any instance still serve the new checkout?") without sending requests
 * through the app.
 */
export class FlagStateTracker {
  private trippedVersion: number | undefined
  private readonly unsubscribe: () => void

  constructor(
    private readonly flags: FlagClient,
    private readonly flag: string,
    private readonly instanceId: string,
  ) {
    this.unsubscribe = flags.subscribe((event) => {
      if (event.type === 'localGuardTrip' && event.flagKey === flag) {
        this.trippedVersion = event.flagVersion
      }
    })
  }

  /** The state now. */
  current(): FlagState {
    const snapshot = this.flags.getSnapshot()
    const config = snapshot?.flags[this.flag]
    // A trip holds until a newer version of the flag arrives (core's local guard rule).
    const tripped = config !== undefined && this.trippedVersion === config.version
    return {
      flag: this.flag,
      instanceId: this.instanceId,
      status: this.flags.getStatus().status,
      snapshotVersion: snapshot?.version ?? null,
      flagVersion: config?.version ?? null,
      enabled: config?.enabled ?? false,
      killed: config?.killed ?? false,
      percent: config === undefined || tripped ? 0 : percentOn(config),
      rules: config?.rules.length ?? 0,
      localGuardTripped: tripped,
      rollout: config?.rollout ? { id: config.rollout.id, stage: config.rollout.stage } : null,
    }
  }

  /** Stops listening to the client. */
  close(): void {
    this.unsubscribe()
  }
}

function percentOn(config: SnapshotFlag): number {
  if (config.killed || !config.enabled) return config.variants[config.offVariant] === true ? 100 : 0
  return servesOn(config, config.fallthrough)
}

function servesOn(config: SnapshotFlag, serve: Serve): number {
  if ('variant' in serve) return config.variants[serve.variant] === true ? 100 : 0
  let weight = 0
  for (const entry of serve.split) {
    if (config.variants[entry.variant] === true) weight += entry.weight
  }
  return weight / 100
}
