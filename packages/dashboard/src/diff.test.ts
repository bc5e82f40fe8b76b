import { describe, expect, it } from 'vitest'
import { diffValues } from './diff'

describe('diffValues', () => {
  it('should list the changed leaves with dotted paths, additions and removals included', () => {
    const before = {
      enabled: false,
      fallthrough: { split: [{ variant: 'on', weight: 2500 }] },
      rules: [],
    }
    const after = {
      enabled: true,
      fallthrough: { split: [{ variant: 'on', weight: 5000 }] },
      rules: [{ serve: { variant: 'on' } }],
      salt: 'x',
    }
    expect(diffValues(before, after)).toEqual([
      { path: 'enabled', before: false, after: true },
      { path: 'fallthrough.split[0].weight', before: 2500, after: 5000 },
      { path: 'rules[0]', before: undefined, after: { serve: { variant: 'on' } } },
      { path: 'salt', before: undefined, after: 'x' },
    ])
  })

  it('should find nothing between equal values, and compare a null or a new type as a whole', () => {
    expect(diffValues({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([])
    expect(diffValues(null, { a: 1 })).toEqual([{ path: '(value)', before: null, after: { a: 1 } }])
    expect(diffValues({ a: [1] }, { a: 'x' })).toEqual([{ path: 'a', before: [1], after: 'x' }])
  })
})
