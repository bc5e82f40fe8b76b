import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bucket } from './bucket'
import { evaluate } from './evaluate'
import { FlagClient } from './flagClient'
import { ErrorCode, Reason } from './reasons'
import type { Condition, Segment, SnapshotFlag } from './schemas'
import { parseSnapshotFlag } from './schemas'
import { booleanFlag, canaryFlag, snapshotOf } from './testUtils/fixtures'
import type { Context } from './types'

/** The flag of DESIGN.md: staff first, then a 5 % canary on userId. */
const newCheckout = booleanFlag({
  key: 'new-checkout',
  version: 7,
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
})

/** A flag with one rule on one condition, serving `on` when it holds. */
function ruleFlag(condition: Condition): SnapshotFlag {
  return booleanFlag({
    key: 'rule-flag',
    rules: [{ conditions: [condition], serve: { variant: 'on' } }],
    fallthrough: { variant: 'off' },
  })
}

function holds(condition: Condition, context: Context, segments?: Record<string, Segment>) {
  return evaluate(ruleFlag(condition), context, segments).reason === Reason.TARGETING_MATCH
}

describe('evaluate', () => {
  describe('reasons', () => {
    it('should give STATIC when the flag serves one variant to everyone', () => {
      expect(evaluate(booleanFlag({ key: 'dark-mode' }), { userId: 'u' })).toEqual({
        flagKey: 'dark-mode',
        value: true,
        variant: 'on',
        reason: Reason.STATIC,
      })
    })

    it('should give DISABLED and the off variant when the flag is disabled', () => {
      expect(evaluate({ ...newCheckout, enabled: false }, { email: 'a@acme.com' })).toEqual({
        flagKey: 'new-checkout',
        value: false,
        variant: 'off',
        reason: Reason.DISABLED,
      })
    })

    it('should give KILLED over everything else, disabled or not', () => {
      for (const enabled of [true, false]) {
        const detail = evaluate({ ...newCheckout, enabled, killed: true }, { email: 'a@acme.com' })
        expect(detail).toMatchObject({ value: false, variant: 'off', reason: Reason.KILLED })
      }
    })

    it('should give TARGETING_MATCH with the index of the rule that matched', () => {
      const flag = booleanFlag({
        key: 'beta',
        rules: [
          {
            conditions: [{ attribute: 'plan', op: 'eq', values: ['free'] }],
            serve: { variant: 'off' },
          },
          {
            conditions: [{ attribute: 'plan', op: 'in', values: ['pro', 'team'] }],
            serve: { variant: 'on' },
          },
        ],
        fallthrough: { variant: 'off' },
      })
      expect(evaluate(flag, { plan: 'team' })).toEqual({
        flagKey: 'beta',
        value: true,
        variant: 'on',
        reason: Reason.TARGETING_MATCH,
        ruleIndex: 1,
      })
    })

    it('should give TARGETING_MATCH with the rule index when a rule serves a split', () => {
      const flag = booleanFlag({
        key: 'new-checkout',
        rules: [
          {
            conditions: [{ attribute: 'country', op: 'in', values: ['NZ'] }],
            serve: {
              split: [
                { variant: 'on', weight: 1000 },
                { variant: 'off', weight: 9000 },
              ],
            },
          },
        ],
        fallthrough: { variant: 'off' },
      })
      // user-1 is in bucket 631 of new-checkout: inside 10 %.
      expect(evaluate(flag, { userId: 'user-1', country: 'NZ' })).toEqual({
        flagKey: 'new-checkout',
        value: true,
        variant: 'on',
        reason: Reason.TARGETING_MATCH,
        ruleIndex: 0,
      })
    })

    it('should give SPLIT when the fallthrough split chose', () => {
      // user-1 → bucket 631 (off at 5 %), user-2 → 789; at 10 % both are on.
      expect(evaluate(newCheckout, { userId: 'user-1' })).toMatchObject({
        value: false,
        variant: 'off',
        reason: Reason.SPLIT,
      })
      expect(evaluate(canaryFlag('new-checkout', 10), { userId: 'user-1' })).toMatchObject({
        value: true,
        reason: Reason.SPLIT,
      })
    })

    it('should give DEFAULT when no rule matched and the fallthrough is one variant', () => {
      const flag = ruleFlag({ attribute: 'plan', op: 'eq', values: ['pro'] })
      expect(evaluate(flag, { plan: 'free' })).toEqual({
        flagKey: 'rule-flag',
        value: false,
        variant: 'off',
        reason: Reason.DEFAULT,
      })
    })
  })

  describe('error codes', () => {
    it('should give FLAG_NOT_FOUND for no flag', () => {
      expect(evaluate(undefined, { userId: 'u' })).toMatchObject({
        value: undefined,
        reason: Reason.ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
      })
    })

    it('should give TARGETING_KEY_MISSING and serve the off variant when the split attribute is missing', () => {
      const detail = evaluate(newCheckout, { email: 'someone@example.com' })
      expect(detail).toEqual({
        flagKey: 'new-checkout',
        value: false,
        variant: 'off',
        reason: Reason.ERROR,
        errorCode: ErrorCode.TARGETING_KEY_MISSING,
        errorMessage: 'the context has no "userId" to split on',
      })
    })

    it('should treat an empty, boolean or list unit as missing', () => {
      for (const userId of ['', true, ['user-1'], null] as unknown as string[]) {
        expect(evaluate(newCheckout, { userId }).errorCode).toBe(ErrorCode.TARGETING_KEY_MISSING)
      }
    })

    it('should give PARSE_ERROR for a malformed flag, naming the problem', () => {
      const bad = { ...newCheckout, offVariant: 'maybe' }
      expect(evaluate(bad, { userId: 'u' })).toEqual({
        flagKey: 'new-checkout',
        value: undefined,
        reason: Reason.ERROR,
        errorCode: ErrorCode.PARSE_ERROR,
        errorMessage: 'malformed flag: offVariant names unknown variant "maybe"',
      })
    })

    it('should give PARSE_ERROR for weights that do not sum to 10000 and for unknown operators', () => {
      const weights = canaryFlag('c', 10)
      if ('split' in weights.fallthrough)
        weights.fallthrough.split[0] = { variant: 'on', weight: 1 }
      expect(evaluate(weights, { userId: 'u' }).errorCode).toBe(ErrorCode.PARSE_ERROR)
      const op = ruleFlag({ attribute: 'a', op: 'matches' as 'eq', values: ['.*'] })
      expect(evaluate(op, { a: 'x' }).errorCode).toBe(ErrorCode.PARSE_ERROR)
    })

    it('should give GENERAL when the context throws', () => {
      const context = {
        get email(): string {
          throw new Error('boom')
        },
      }
      expect(evaluate(newCheckout, context as Context)).toEqual({
        flagKey: 'new-checkout',
        value: undefined,
        reason: Reason.ERROR,
        errorCode: ErrorCode.GENERAL,
        errorMessage: 'boom',
      })
    })

    it('should give TYPE_MISMATCH (through the client) when the default has another type', () => {
      const client = new FlagClient({ snapshot: snapshotOf([newCheckout]) })
      expect(client.getDetails('new-checkout', 'yes', { userId: 'user-1' })).toMatchObject({
        value: 'yes',
        reason: Reason.ERROR,
        errorCode: ErrorCode.TYPE_MISMATCH,
      })
    })

    it('should give PROVIDER_NOT_READY (through the client) before a snapshot arrives', () => {
      const client = new FlagClient()
      expect(client.getDetails('new-checkout', false, { userId: 'user-1' })).toMatchObject({
        value: false,
        reason: Reason.ERROR,
        errorCode: ErrorCode.PROVIDER_NOT_READY,
      })
    })
  })

  describe('splits', () => {
    it('should hash userId by default and the named attribute with by', () => {
      const byInstance = canaryFlag('new-checkout', 10, 'instanceId')
      // instanceId user-1 → bucket 631; user-2 → 789; "alice@example.com" → 6218.
      expect(
        evaluate(byInstance, { userId: 'alice@example.com', instanceId: 'user-1' }).value,
      ).toBe(true)
      expect(
        evaluate(byInstance, { userId: 'user-1', instanceId: 'alice@example.com' }).value,
      ).toBe(false)
      expect(evaluate(byInstance, { userId: 'user-1' }).errorCode).toBe(
        ErrorCode.TARGETING_KEY_MISSING,
      )
    })

    it('should hash a numeric unit as its decimal string', () => {
      // dark-mode:42 is in bucket 8303.
      const flag = { ...canaryFlag('dark-mode', 83), salt: 'dark-mode' }
      expect(evaluate(flag, { userId: 42 }).value).toBe(false)
      expect(evaluate({ ...canaryFlag('dark-mode', 84) }, { userId: 42 }).value).toBe(true)
      expect(bucket('dark-mode', String(42))).toBe(8303)
    })

    it('should use the salt, not the key, when they differ', () => {
      const flag = { ...canaryFlag('renamed', 10), salt: 'new-checkout' }
      expect(evaluate(flag, { userId: 'user-1' }).value).toBe(true)
      expect(evaluate({ ...flag, salt: 'other' }, { userId: 'user-1' }).value).toBe(
        bucket('other', 'user-1') < 1000,
      )
    })

    it('should walk several variants by cumulative weight, skipping zero weights', () => {
      const flag: SnapshotFlag = {
        ...booleanFlag({ key: 'new-checkout' }),
        kind: 'string',
        variants: { a: 'a', b: 'b', c: 'c', d: 'd' },
        offVariant: 'a',
        fallthrough: {
          split: [
            { variant: 'a', weight: 631 },
            { variant: 'd', weight: 0 },
            { variant: 'b', weight: 158 },
            { variant: 'c', weight: 9211 },
          ],
        },
      }
      // Buckets: user-1 631 (first past a's bound), user-2 789 (first past b's).
      expect(evaluate(flag, { userId: 'user-1' }).variant).toBe('b')
      expect(evaluate(flag, { userId: 'user-2' }).variant).toBe('c')
      expect(evaluate(flag, { userId: 'alice@example.com' }).variant).toBe('c')
    })

    it('should only add units when a canary grows from 5 % to 25 % (monotone)', () => {
      const at5 = canaryFlag('new-checkout', 5)
      const at25 = canaryFlag('new-checkout', 25)
      fc.assert(
        fc.property(fc.string({ minLength: 1, unit: 'binary' }), (userId) => {
          if (evaluate(at5, { userId }).value === true) {
            expect(evaluate(at25, { userId }).value).toBe(true)
          }
        }),
        { numRuns: 5000 },
      )
      let on5 = 0
      let on25 = 0
      for (let i = 0; i < 20_000; i++) {
        const userId = `user-${i}`
        const a = evaluate(at5, { userId }).value
        const b = evaluate(at25, { userId }).value
        if (a) on5++
        if (b) on25++
        expect(a && !b).toBe(false)
      }
      expect(on5 / 20_000).toBeCloseTo(0.05, 2)
      expect(on25 / 20_000).toBeCloseTo(0.25, 2)
    })
  })

  describe('operators', () => {
    const cases: [string, Condition, Context, boolean][] = [
      ['in', { attribute: 'country', op: 'in', values: ['NZ', 'AU'] }, { country: 'AU' }, true],
      ['in (miss)', { attribute: 'country', op: 'in', values: ['NZ'] }, { country: 'nz' }, false],
      [
        'in (number as string)',
        { attribute: 'tier', op: 'in', values: [2, 3] },
        { tier: '2' },
        true,
      ],
      ['in (string as number)', { attribute: 'tier', op: 'in', values: ['2'] }, { tier: 2 }, true],
      ['in (boolean)', { attribute: 'beta', op: 'in', values: [true] }, { beta: true }, true],
      [
        'in (list attribute)',
        { attribute: 'roles', op: 'in', values: ['admin'] },
        { roles: ['user', 'admin'] },
        true,
      ],
      ['notIn', { attribute: 'country', op: 'notIn', values: ['NZ'] }, { country: 'AU' }, true],
      [
        'notIn (listed)',
        { attribute: 'country', op: 'notIn', values: ['NZ'] },
        { country: 'NZ' },
        false,
      ],
      ['notIn (missing)', { attribute: 'country', op: 'notIn', values: ['NZ'] }, {}, true],
      [
        'notIn (list attribute)',
        { attribute: 'roles', op: 'notIn', values: ['admin'] },
        { roles: ['user', 'admin'] },
        false,
      ],
      ['eq', { attribute: 'plan', op: 'eq', values: ['pro'] }, { plan: 'pro' }, true],
      ['eq (missing)', { attribute: 'plan', op: 'eq', values: ['pro'] }, {}, false],
      ['eq (null)', { attribute: 'plan', op: 'eq', values: ['null'] }, { plan: null }, false],
      ['neq', { attribute: 'plan', op: 'neq', values: ['pro'] }, { plan: 'free' }, true],
      ['neq (equal)', { attribute: 'plan', op: 'neq', values: ['pro'] }, { plan: 'pro' }, false],
      [
        'contains',
        { attribute: 'email', op: 'contains', values: ['@acme.'] },
        { email: 'a@acme.com' },
        true,
      ],
      [
        'contains (case)',
        { attribute: 'email', op: 'contains', values: ['ACME'] },
        { email: 'a@acme.com' },
        false,
      ],
      [
        'startsWith',
        { attribute: 'path', op: 'startsWith', values: ['/beta', '/new'] },
        { path: '/new/x' },
        true,
      ],
      [
        'startsWith (miss)',
        { attribute: 'path', op: 'startsWith', values: ['/beta'] },
        { path: '/b' },
        false,
      ],
      [
        'endsWith',
        { attribute: 'email', op: 'endsWith', values: ['@acme.com'] },
        { email: 'a@acme.com' },
        true,
      ],
      ['endsWith (number)', { attribute: 'id', op: 'endsWith', values: ['7'] }, { id: 1007 }, true],
      ['gt', { attribute: 'age', op: 'gt', values: [17] }, { age: 18 }, true],
      ['gt (equal)', { attribute: 'age', op: 'gt', values: [18] }, { age: 18 }, false],
      ['gt (numeric string)', { attribute: 'age', op: 'gt', values: [17] }, { age: '18.5' }, true],
      ['gt (blank string)', { attribute: 'age', op: 'gt', values: [-1] }, { age: '' }, false],
      ['gt (padded string)', { attribute: 'age', op: 'gt', values: [0] }, { age: ' 5' }, false],
      ['gt (boolean)', { attribute: 'age', op: 'gt', values: [0] }, { age: true }, false],
      ['gte', { attribute: 'age', op: 'gte', values: [18] }, { age: 18 }, true],
      ['lt', { attribute: 'age', op: 'lt', values: [18] }, { age: 17 }, true],
      ['lt (any value)', { attribute: 'age', op: 'lt', values: [10, 20] }, { age: 15 }, true],
      ['lte', { attribute: 'age', op: 'lte', values: [18] }, { age: 18.5 }, false],
      [
        'semverGt',
        { attribute: 'app', op: 'semverGt', values: ['1.4.0'] },
        { app: '1.10.0' },
        true,
      ],
      [
        'semverGt (prerelease)',
        { attribute: 'app', op: 'semverGt', values: ['1.4.0'] },
        { app: '1.4.0-rc.1' },
        false,
      ],
      [
        'semverGt (not a version)',
        { attribute: 'app', op: 'semverGt', values: ['1.4.0'] },
        { app: '1.5' },
        false,
      ],
      [
        'semverLt',
        { attribute: 'app', op: 'semverLt', values: ['2.0.0'] },
        { app: 'v1.99.99' },
        true,
      ],
      [
        'semverEq',
        { attribute: 'app', op: 'semverEq', values: ['1.2.3'] },
        { app: '1.2.3+build.9' },
        true,
      ],
      [
        'before',
        { attribute: 'signup', op: 'before', values: ['2025-01-01'] },
        { signup: '2024-12-31T23:59:59Z' },
        true,
      ],
      [
        'before (epoch)',
        { attribute: 'signup', op: 'before', values: ['2025-01-01'] },
        { signup: Date.UTC(2025, 0, 1) },
        false,
      ],
      [
        'after',
        { attribute: 'signup', op: 'after', values: [Date.UTC(2025, 0, 1)] },
        { signup: '2025-01-01T00:00:01' },
        true,
      ],
      [
        'after (offset)',
        { attribute: 'signup', op: 'after', values: ['2025-01-01T00:00:00Z'] },
        { signup: '2025-01-01T00:30:00+01:00' },
        false,
      ],
      [
        'after (not a date)',
        { attribute: 'signup', op: 'after', values: [0] },
        { signup: 'yesterday' },
        false,
      ],
      ['exists', { attribute: 'email', op: 'exists', values: [] }, { email: '' }, true],
      ['exists (null)', { attribute: 'email', op: 'exists', values: [] }, { email: null }, false],
      ['exists (inherited)', { attribute: 'constructor', op: 'exists', values: [] }, {}, false],
      ['notExists', { attribute: 'email', op: 'notExists', values: [] }, {}, true],
    ]

    it.each(cases)('%s', (_name, condition, context, expected) => {
      expect(parseSnapshotFlag(ruleFlag(condition)).success).toBe(true)
      expect(holds(condition, context)).toBe(expected)
    })

    it('should match segments by key, and no one for an unknown segment', () => {
      const segments: Record<string, Segment> = {
        'internal-users': {
          conditions: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }],
        },
        everyone: { conditions: [] },
      }
      const inSegment = (values: string[]): Condition => ({
        attribute: 'segment',
        op: 'inSegment',
        values,
      })
      const notInSegment: Condition = {
        attribute: 'segment',
        op: 'notInSegment',
        values: ['internal-users'],
      }
      expect(holds(inSegment(['internal-users']), { email: 'a@acme.com' }, segments)).toBe(true)
      expect(holds(inSegment(['internal-users']), { email: 'a@b.com' }, segments)).toBe(false)
      expect(holds(inSegment(['nobody', 'everyone']), {}, segments)).toBe(true)
      expect(holds(inSegment(['nobody']), {}, segments)).toBe(false)
      expect(holds(notInSegment, { email: 'a@b.com' }, segments)).toBe(true)
      expect(holds(notInSegment, { email: 'a@acme.com' }, segments)).toBe(false)
    })

    it('should require every condition of a rule and match a rule with none', () => {
      const flag = booleanFlag({
        key: 'both',
        rules: [
          {
            conditions: [
              { attribute: 'country', op: 'in', values: ['NZ'] },
              { attribute: 'plan', op: 'eq', values: ['pro'] },
            ],
            serve: { variant: 'on' },
          },
        ],
        fallthrough: { variant: 'off' },
      })
      expect(evaluate(flag, { country: 'NZ', plan: 'pro' }).value).toBe(true)
      expect(evaluate(flag, { country: 'NZ', plan: 'free' }).value).toBe(false)
      const always = booleanFlag({
        key: 'always',
        rules: [{ conditions: [], serve: { variant: 'off' } }],
      })
      expect(evaluate(always, {})).toMatchObject({ value: false, reason: Reason.TARGETING_MATCH })
    })
  })

  describe('totality', () => {
    const validFlags = fc.constantFrom<SnapshotFlag>(
      newCheckout,
      ruleFlag({ attribute: 'app', op: 'semverGt', values: ['1.0.0'] }),
      ruleFlag({ attribute: 'signup', op: 'before', values: ['2025-01-01'] }),
      ruleFlag({ attribute: 'age', op: 'gte', values: [18] }),
      ruleFlag({ attribute: 'seg', op: 'inSegment', values: ['internal-users'] }),
    )
    /** A valid flag with one field, anywhere in it, replaced by anything. */
    const corruptedFlags = fc
      .tuple(validFlags, fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }), fc.anything())
      .map(([flag, path, value]) => {
        const copy = structuredClone(flag) as unknown as Record<string, unknown>
        let node: Record<string, unknown> = copy
        for (const [i, step] of path.entries()) {
          const keys = Object.keys(node)
          const key = keys.length > 0 ? (keys[step.length % keys.length] as string) : step
          if (i === path.length - 1 || typeof node[key] !== 'object' || node[key] === null) {
            node[key] = value
            break
          }
          node = node[key] as Record<string, unknown>
        }
        return copy as unknown as SnapshotFlag
      })
    const contexts = fc.oneof(
      fc.anything(),
      fc.dictionary(
        fc.constantFrom('userId', 'email', 'app', 'age', 'signup', 'country'),
        fc.anything(),
      ),
    )

    it('should never throw, whatever the flag, context and segments', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.anything(), validFlags, corruptedFlags),
          contexts,
          fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())),
          (flag, context, segments) => {
            const detail = evaluate(
              flag as SnapshotFlag,
              context as Context,
              segments as Record<string, Segment>,
            )
            expect(Object.values(Reason)).toContain(detail.reason)
            if (detail.reason === Reason.ERROR) {
              expect(Object.values(ErrorCode)).toContain(detail.errorCode)
            }
          },
        ),
        { numRuns: 3000 },
      )
    })

    it('should evaluate the same flag object the same way twice (the compiled cache)', () => {
      fc.assert(
        fc.property(validFlags, contexts, (flag, context) => {
          expect(evaluate(flag, context as Context)).toEqual(evaluate(flag, context as Context))
        }),
      )
    })
  })
})
