import { describe, expectTypeOf, it } from 'vitest'
import { evaluate } from './evaluate'
import { FlagClient } from './flagClient'
import type { ErrorCode, Reason } from './reasons'
import type { JsonValue } from './schemas'
import type { ApplyPatchResult, ClientStatus, EvaluationDetails, FlagClientEvent } from './types'

const client = new FlagClient()

describe('FlagClient', () => {
  it('should infer getValue from the default, widening literals', () => {
    expectTypeOf(client.getValue('a', false)).toEqualTypeOf<boolean>()
    expectTypeOf(client.getValue('a', 'light')).toEqualTypeOf<string>()
    expectTypeOf(client.getValue('a', 10)).toEqualTypeOf<number>()
    expectTypeOf(client.getValue('a', { uploadMb: 10 })).toEqualTypeOf<{ uploadMb: number }>()
    expectTypeOf(client.getValue<'dark' | 'light'>('a', 'light')).toEqualTypeOf<'dark' | 'light'>()
  })

  it('should type getDetails by the default, or JSON-or-undefined without one', () => {
    expectTypeOf(client.getDetails('a', true)).toEqualTypeOf<EvaluationDetails<boolean>>()
    expectTypeOf(client.getDetails('a', 'x').value).toEqualTypeOf<string>()
    expectTypeOf(client.getDetails('a').value).toEqualTypeOf<JsonValue | undefined>()
    expectTypeOf(client.getDetails('a').reason).toEqualTypeOf<Reason>()
    expectTypeOf(client.getDetails('a').errorCode).toEqualTypeOf<ErrorCode | undefined>()
  })

  it('should keep guard synchronous for sync functions and a promise for async ones', () => {
    expectTypeOf(client.guard('a', {}, () => 1)).toEqualTypeOf<number>()
    expectTypeOf(client.guard('a', undefined, async () => 'x')).toEqualTypeOf<Promise<string>>()
  })

  it('should narrow events by type', () => {
    client.on('change', (event) => {
      expectTypeOf(event.flagKeys).toEqualTypeOf<string[]>()
    })
    client.on('localGuardTrip', (event) => {
      expectTypeOf(event.rolloutId).toEqualTypeOf<string>()
    })
    client.subscribe((event) => {
      expectTypeOf(event).toEqualTypeOf<FlagClientEvent>()
    })
    // @ts-expect-error: not an event of the client
    client.on('flagsChanged', () => {})
  })

  it('should return discriminated results and statuses', () => {
    const result = {} as ApplyPatchResult
    if (result.status === 'gap') expectTypeOf(result.expected).toEqualTypeOf<number | null>()
    const status = client.getStatus()
    expectTypeOf(status).toEqualTypeOf<ClientStatus>()
    if (status.status === 'ready') expectTypeOf(status.version).toEqualTypeOf<number>()
  })

  it('should reject context values that are not attributes', () => {
    // @ts-expect-error: nested objects are not context values
    client.isEnabled('a', { user: { id: 1 } })
    client.isEnabled('a', { userId: 1, roles: ['admin'], beta: true, email: null })
  })
})

describe('evaluate', () => {
  it('should return details whose value may be undefined', () => {
    expectTypeOf(evaluate(undefined)).toEqualTypeOf<EvaluationDetails<JsonValue | undefined>>()
  })
})
