import type { Segment, Snapshot, SnapshotFlag } from '../schemas'

/** A boolean flag, on for everyone unless overridden. */
export function booleanFlag(overrides: Partial<SnapshotFlag> & { key: string }): SnapshotFlag {
  return {
    kind: 'boolean',
    version: 1,
    variants: { on: true, off: false },
    offVariant: 'off',
    enabled: true,
    killed: false,
    salt: overrides.key,
    rules: [],
    fallthrough: { variant: 'on' },
    ...overrides,
  }
}

/** A canary: `percent` % of units (hashed on `by`) get `on`. */
export function canaryFlag(key: string, percent: number, by?: string): SnapshotFlag {
  return booleanFlag({
    key,
    fallthrough: {
      split: [
        { variant: 'on', weight: percent * 100 },
        { variant: 'off', weight: 10000 - percent * 100 },
      ],
      ...(by === undefined ? {} : { by }),
    },
  })
}

/** A snapshot of these flags and segments. */
export function snapshotOf(
  flags: SnapshotFlag[],
  options: { version?: number; segments?: Record<string, Segment>; environment?: string } = {},
): Snapshot {
  return {
    schemaVersion: 1,
    environment: options.environment ?? 'production',
    version: options.version ?? 1,
    flags: Object.fromEntries(flags.map((f) => [f.key, f])),
    segments: options.segments ?? {},
  }
}
