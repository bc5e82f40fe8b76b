import { describe, expect, it } from 'vitest'
import type { FlagConfig } from './api/types'
import { fromDraft, splitTotal, toDraft } from './configDraft'

const CONFIG: FlagConfig = {
  enabled: true,
  killed: true,
  killReason: 'spike',
  salt: 'checkout-2',
  rules: [
    {
      id: 'staff',
      description: 'staff first',
      conditions: [
        { attribute: 'email', op: 'endsWith', values: ['@acme.com', '@acme.org'] },
        { attribute: 'age', op: 'gte', values: [18] },
        { attribute: 'beta', op: 'exists', values: [] },
      ],
      serve: { variant: 'on' },
    },
  ],
  fallthrough: {
    split: [
      { variant: 'on', weight: 2550 },
      { variant: 'off', weight: 7450 },
    ],
    by: 'accountId',
  },
  rollout: { id: 'r_1', stage: 1, treatment: 'on', control: 'off' },
}

describe('toDraft and fromDraft', () => {
  it('should round-trip a configuration, keeping its kill switch and leaving the rollout reference out', () => {
    const { rollout: _, ...rest } = CONFIG
    expect(fromDraft(toDraft(CONFIG), CONFIG)).toEqual(rest)
  })

  it('should turn typed text into the values and weights the schema wants', () => {
    const draft = toDraft(CONFIG)
    const [rule] = draft.rules
    if (!rule || draft.fallthrough.mode !== 'split') throw new Error('unexpected draft')
    expect(rule.conditions[0]?.values).toBe('@acme.com, @acme.org')
    rule.conditions[1] = { attribute: 'age', op: 'lt', values: ' 65 , 70,' }
    draft.fallthrough.rows = [
      { variant: 'on', percent: '12,5' },
      { variant: 'off', percent: '87.5' },
    ]
    draft.salt = ' '
    const config = fromDraft(draft, CONFIG)
    expect(config.rules[0]?.conditions[1]).toEqual({ attribute: 'age', op: 'lt', values: [65, 70] })
    expect(config.fallthrough).toEqual({
      split: [
        { variant: 'on', weight: 1250 },
        { variant: 'off', weight: 8750 },
      ],
      by: 'accountId',
    })
    expect(config.salt).toBeUndefined()
    expect(splitTotal(draft.fallthrough)).toBe(100)
  })
})
