import { describe, expect, it } from 'vitest'
import {
  FlagDefinitionSchema,
  formatIssues,
  parseRolloutPlan,
  parseSnapshot,
  parseStreamPatch,
  type SnapshotInput,
} from './schemas'

const designExample: SnapshotInput = {
  schemaVersion: 1,
  environment: 'production',
  version: 42,
  flags: {
    'new-checkout': {
      key: 'new-checkout',
      kind: 'boolean',
      version: 7,
      variants: { on: true, off: false },
      offVariant: 'off',
      enabled: true,
      killed: false,
      salt: 'new-checkout',
      rules: [
        {
          conditions: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }],
          serve: { variant: 'on' },
        },
      ],
      fallthrough: {
        split: [
          { variant: 'on', weight: 500 },
          { variant: 'off', weight: 9500 },
        ],
        by: 'userId',
      },
      rollout: {
        id: 'r_12',
        stage: 1,
        treatment: 'on',
        control: 'off',
        localGuard: { minErrors: 20, maxErrorRate: 0.5 },
      },
    },
  },
  segments: {
    'internal-users': { conditions: [{ attribute: 'country', op: 'in', values: ['NZ'] }] },
  },
}

describe('parseSnapshot', () => {
  it('should accept the snapshot of DESIGN.md', () => {
    const result = parseSnapshot(designExample)
    expect(result.success).toBe(true)
  })

  it('should report the path of a split whose weights do not sum to 10000', () => {
    const bad = structuredClone(designExample) as {
      flags: Record<string, { fallthrough: unknown }>
    }
    const flag = bad.flags['new-checkout']
    if (flag) flag.fallthrough = { split: [{ variant: 'on', weight: 500 }] }
    const result = parseSnapshot(bad)
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(formatIssues(result.error)).toContainEqual({
        path: '/flags/new-checkout/fallthrough/split',
        message: 'weights must sum to 10000 basis points, got 500',
      })
    }
  })

  it('should reject a serve naming an unknown variant', () => {
    const bad = structuredClone(designExample) as { flags: Record<string, { rules: unknown }> }
    const flag = bad.flags['new-checkout']
    if (flag) flag.rules = [{ conditions: [], serve: { variant: 'maybe' } }]
    const result = parseSnapshot(bad)
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(formatIssues(result.error).map((i) => i.path)).toContain(
        '/flags/new-checkout/rules/0/serve/variant',
      )
    }
  })

  it('should reject a rollout whose treatment is its control', () => {
    const bad = structuredClone(designExample) as {
      flags: Record<string, { rollout: { control: string } }>
    }
    const flag = bad.flags['new-checkout']
    if (flag) flag.rollout.control = 'on'
    expect(parseSnapshot(bad).success).toBe(false)
  })

  it('should accept dates the evaluator reads the same everywhere, and only those', () => {
    const withDate = (value: string) => {
      const snapshot = structuredClone(designExample) as { segments: Record<string, unknown> }
      snapshot.segments['internal-users'] = {
        conditions: [{ attribute: 'signup', op: 'before', values: [value] }],
      }
      return parseSnapshot(snapshot).success
    }
    expect(withDate('2025-01-31')).toBe(true)
    expect(withDate('2025-01-31T10:00:00')).toBe(true)
    expect(withDate('2025-01-31T10:00:00+02:00')).toBe(true)
    expect(withDate('2025-01-31T10:00:00+0200')).toBe(false)
    expect(withDate('01/31/2025')).toBe(false)
  })

  it('should reject operator values of the wrong type at parse time', () => {
    const bad = structuredClone(designExample) as { segments: Record<string, unknown> }
    bad.segments['internal-users'] = {
      conditions: [{ attribute: 'appVersion', op: 'semverGt', values: ['not-a-version'] }],
    }
    const result = parseSnapshot(bad)
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(formatIssues(result.error)[0]?.path).toBe(
        '/segments/internal-users/conditions/0/values/0',
      )
    }
  })
})

describe('parseStreamPatch', () => {
  const flag = designExample.flags['new-checkout']

  it('should reject a flag whose key is not the patch key', () => {
    const result = parseStreamPatch({
      type: 'flag',
      version: 43,
      previousVersion: 42,
      key: 'old-checkout',
      flag,
    })
    expect(result.success).toBe(false)
    if (!result.success) {
      expect(formatIssues(result.error)).toContainEqual({
        path: '/flag/key',
        message: 'must equal the patch key "old-checkout"',
      })
    }
  })

  it('should reject a patch that does not follow an earlier version', () => {
    const result = parseStreamPatch({
      type: 'flag',
      version: 42,
      previousVersion: 42,
      key: 'new-checkout',
      flag,
    })
    expect(result.success).toBe(false)
  })

  it('should accept a deletion', () => {
    expect(
      parseStreamPatch({
        type: 'flag',
        version: 43,
        previousVersion: 42,
        key: 'new-checkout',
        flag: null,
      }).success,
    ).toBe(true)
  })
})

describe('FlagDefinitionSchema', () => {
  it('should give a boolean flag its on/off variants', () => {
    const flag = FlagDefinitionSchema.parse({ key: 'dark-mode', kind: 'boolean' })
    expect(flag).toMatchObject({
      variants: { on: true, off: false },
      offVariant: 'off',
      clientSide: false,
    })
  })

  it('should reject a string flag with a numeric variant', () => {
    const result = FlagDefinitionSchema.safeParse({
      key: 'theme',
      kind: 'string',
      variants: { dark: 'dark', light: 2 },
      offVariant: 'dark',
    })
    expect(result.success).toBe(false)
  })
})

describe('parseRolloutPlan', () => {
  it('should fill in the default stages and guard', () => {
    const result = parseRolloutPlan({ treatment: 'on', control: 'off' })
    expect(result.success).toBe(true)
    if (result.success) {
      expect(result.data.stages.map((s) => s.percent)).toEqual([1, 5, 25, 50, 100])
      expect(result.data.guard).toEqual({ tolerance: 0.1, alpha: 0.01, minEvidence: 30 })
      expect(result.data.onFailure).toBe('revert')
    }
  })
})
