import { FlagClient, type Snapshot, type SnapshotFlag, type StreamPatch } from '@floodgate/core'

/** A boolean flag, on for everyone unless overridden. */
export function booleanFlag(key: string, overrides: Partial<SnapshotFlag> = {}): SnapshotFlag {
  return {
    key,
    kind: 'boolean',
    version: 1,
    variants: { on: true, off: false },
    offVariant: 'off',
    enabled: true,
    killed: false,
    salt: key,
    rules: [],
    fallthrough: { variant: 'on' },
    ...overrides,
  }
}

/** A string flag serving `serve` to everyone. */
export function stringFlag(key: string, variants: Record<string, string>, serve: string) {
  return booleanFlag(key, {
    kind: 'string',
    variants,
    offVariant: serve,
    fallthrough: { variant: serve },
  })
}

/** A 50 % canary of `new-checkout` on `userId` under a rollout whose local guard trips at `minErrors`. */
export function guardedCanary(version = 1, minErrors = 1): SnapshotFlag {
  return booleanFlag('new-checkout', {
    version,
    fallthrough: {
      split: [
        { variant: 'on', weight: 5000 },
        { variant: 'off', weight: 5000 },
      ],
    },
    rollout: {
      id: 'r_1',
      stage: 2,
      treatment: 'on',
      control: 'off',
      localGuard: { minErrors, maxErrorRate: 0.5 },
    },
  })
}

/** A user the canary of `guardedCanary()` serves `variant`. */
export function userServed(variant: 'on' | 'off'): string {
  const client = new FlagClient({ snapshot: snapshotOf([guardedCanary()]) })
  for (let i = 0; ; i++) {
    if (client.peekDetails('new-checkout', undefined, { userId: `u${i}` }).variant === variant) {
      return `u${i}`
    }
  }
}

export function snapshotOf(flags: SnapshotFlag[], version = 1): Snapshot {
  return {
    schemaVersion: 1,
    environment: 'production',
    version,
    flags: Object.fromEntries(flags.map((f) => [f.key, f])),
    segments: {},
  }
}

/** A patch that sets (or, with `null`, deletes) one flag. */
export function patch(version: number, key: string, flag: SnapshotFlag | null): StreamPatch {
  return { type: 'flag', previousVersion: version - 1, version, key, flag }
}

/** The exposures counted per flag and variant since the last drain. */
export function exposures(client: FlagClient): Record<string, Record<string, number>> {
  const batch = client.signals.drain()
  return Object.fromEntries(
    Object.entries(batch?.flags ?? {}).map(([key, variants]) => [
      key,
      Object.fromEntries(Object.entries(variants).map(([v, s]) => [v, s.exposures])),
    ]),
  )
}
