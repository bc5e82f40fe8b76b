import type * as core from '@floodgate/core'
import { describe, expectTypeOf, it } from 'vitest'
import type * as react from './index'

describe('@floodgate/react', () => {
  it('should re-export the types of @floodgate/core', () => {
    expectTypeOf<react.Snapshot>().toEqualTypeOf<core.Snapshot>()
    expectTypeOf<react.EvaluationDetails<boolean>>().toEqualTypeOf<
      core.EvaluationDetails<boolean>
    >()
    expectTypeOf<react.ClientStatus>().toEqualTypeOf<core.ClientStatus>()
    expectTypeOf<react.FlagClient>().toEqualTypeOf<core.FlagClient>()
  })
})
