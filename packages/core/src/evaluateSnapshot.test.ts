import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { evaluate, evaluateSnapshot } from './evaluate'
import type { SnapshotFlag } from './schemas'
import { booleanFlag, canaryFlag, snapshotOf } from './testUtils/fixtures'
import { unitHash } from './unitHash'

describe('evaluateSnapshot', () => {
  const canary: SnapshotFlag = {
    ...canaryFlag('checkout', 30, 'accountId'),
    clientSide: true,
    rollout: {
      id: 'r_7',
      stage: 2,
      treatment: 'on',
      control: 'off',
      localGuard: { minErrors: 20, maxErrorRate: 0.5 },
    },
  }
  const snapshot = snapshotOf(
    [canary, booleanFlag({ key: 'backend', fallthrough: { variant: 'on' } })],
    {
      version: 9,
    },
  )

  it('should give every flag what evaluate gives it, for any context', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (accountId, userId) => {
        const context = { accountId, userId }
        const all = evaluateSnapshot(snapshot, context)
        for (const [key, flag] of Object.entries(snapshot.flags)) {
          const local = evaluate(flag, context, snapshot.segments)
          const remote = all.flags[key]
          expect(remote?.variant).toBe(local.variant)
          expect(remote?.value).toEqual(local.value)
          expect(remote?.reason).toBe(local.reason)
          expect(remote?.errorCode).toBe(local.errorCode)
        }
      }),
    )
  })

  it('should keep server-only flags out with clientSideOnly, and carry the rollout with its unit', () => {
    const browser = evaluateSnapshot(snapshot, { accountId: 'acct-1' }, { clientSideOnly: true })
    expect(browser).toMatchObject({ schemaVersion: 1, environment: 'production', version: 9 })
    expect(Object.keys(browser.flags)).toEqual(['checkout'])
    expect(browser.flags.checkout?.rollout).toEqual({
      id: 'r_7',
      stage: 2,
      treatment: 'on',
      control: 'off',
      controlValue: false,
      localGuard: { minErrors: 20, maxErrorRate: 0.5 },
      unitHash: unitHash('acct-1'),
    })
    const anonymous = evaluateSnapshot(snapshot, {}, { clientSideOnly: true })
    expect(anonymous.flags.checkout).toMatchObject({
      variant: 'off',
      errorCode: 'TARGETING_KEY_MISSING',
    })
    expect(anonymous.flags.checkout?.rollout).not.toHaveProperty('unitHash')
  })

  it('should list a malformed flag with its error rather than throw', () => {
    const broken = { key: 'broken', version: 1, variants: {} } as unknown as SnapshotFlag
    const result = evaluateSnapshot(snapshotOf([broken]), { userId: 'u' })
    expect(result.flags.broken).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' })
    expect(result.flags.broken).not.toHaveProperty('variant')
  })
})
