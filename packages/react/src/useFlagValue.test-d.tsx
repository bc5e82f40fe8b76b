import { describe, expectTypeOf, it } from 'vitest'
import { useFlagValue } from './useFlagValue'

describe('useFlagValue', () => {
  it('should infer the value from the default, widening literals', () => {
    expectTypeOf(useFlagValue('a', false)).toEqualTypeOf<boolean>()
    expectTypeOf(useFlagValue('a', 'light')).toEqualTypeOf<string>()
    expectTypeOf(useFlagValue('a', 10)).toEqualTypeOf<number>()
    expectTypeOf(useFlagValue('a', { maxMb: 10, tags: ['x'] })).toEqualTypeOf<{
      maxMb: number
      tags: string[]
    }>()
    expectTypeOf(useFlagValue('a', null)).toEqualTypeOf<null>()
  })

  it('should take an explicit union of values', () => {
    expectTypeOf(useFlagValue<'dark' | 'light'>('a', 'light')).toEqualTypeOf<'dark' | 'light'>()
  })

  it('should reject a default that is not JSON, or none', () => {
    // @ts-expect-error: a function is not a flag value
    useFlagValue('a', () => 1)
    // @ts-expect-error: undefined is not a flag value
    useFlagValue('a', undefined)
    // @ts-expect-error: the default is required
    useFlagValue('a')
  })
})
