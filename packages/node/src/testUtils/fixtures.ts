import type { Snapshot, SnapshotFlag } from '@floodgate/core'

/** A boolean flag serving `on` (or `off`) to everyone. */
export function flag(key: string, on: boolean, version = 1): SnapshotFlag {
  return {
    key,
    kind: 'boolean',
    version,
    variants: { on: true, off: false },
    offVariant: 'off',
    enabled: true,
    killed: false,
    salt: key,
    rules: [],
    fallthrough: { variant: on ? 'on' : 'off' },
  }
}

/** A snapshot of these flags. */
export function snapshotOf(flags: SnapshotFlag[], version = 1): Snapshot {
  return {
    schemaVersion: 1,
    environment: 'production',
    version,
    flags: Object.fromEntries(flags.map((f) => [f.key, f])),
    segments: {},
  }
}

/** A logger that records what it is told. */
export function recordingLogger() {
  const warnings: string[] = []
  return {
    warnings,
    warn: (message: string) => {
      warnings.push(message)
    },
    error: (message: string) => {
      warnings.push(message)
    },
  }
}
