import type { ErrorCode, EvaluationDetails, JsonValue, Reason } from '@floodgate/core'
import { describe, expectTypeOf, it } from 'vitest'
import { Flag } from './Flag'
import { useFlag } from './useFlag'
import { useFlagDetails } from './useFlagDetails'
import { useVariant } from './useVariant'

describe('useFlagDetails', () => {
  it('should type the details by the default, or JSON-or-undefined without one', () => {
    expectTypeOf(useFlagDetails('a', true)).toEqualTypeOf<EvaluationDetails<boolean>>()
    expectTypeOf(useFlagDetails('a', 'x').value).toEqualTypeOf<string>()
    expectTypeOf(useFlagDetails('a', { maxMb: 1 }).value).toEqualTypeOf<{ maxMb: number }>()
    expectTypeOf(useFlagDetails('a').value).toEqualTypeOf<JsonValue | undefined>()
    expectTypeOf(useFlagDetails('a').reason).toEqualTypeOf<Reason>()
    expectTypeOf(useFlagDetails('a').errorCode).toEqualTypeOf<ErrorCode | undefined>()
  })

  it('should give the simpler hooks and <Flag> the types they promise', () => {
    expectTypeOf(useFlag('a')).toEqualTypeOf<boolean>()
    expectTypeOf(useVariant('a')).toEqualTypeOf<string | undefined>()
    ;<Flag name="a">
      {(details) => {
        expectTypeOf(details).toEqualTypeOf<EvaluationDetails<JsonValue | undefined>>()
        return null
      }}
    </Flag>
    // @ts-expect-error: useFlag's default is a boolean
    useFlag('a', 'on')
  })
})
