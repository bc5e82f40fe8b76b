import { describe, expect, it } from 'vitest'
import { toFloodgateContext } from './evaluationContext'

describe('toFloodgateContext', () => {
  it('should make the targetingKey the unit attribute, unless the context sets it itself', () => {
    expect(toFloodgateContext({ targetingKey: 'user-1', plan: 'pro' }, 'userId')).toEqual({
      success: true,
      data: { userId: 'user-1', plan: 'pro' },
    })
    expect(toFloodgateContext({ targetingKey: 'session-9' }, 'sessionId')).toEqual({
      success: true,
      data: { sessionId: 'session-9' },
    })
    expect(toFloodgateContext({ targetingKey: 'user-1', userId: 'account-7' }, 'userId')).toEqual({
      success: true,
      data: { userId: 'account-7' },
    })
  })

  it('should pass scalars and null, drop undefined, and write dates as ISO 8601', () => {
    const signedUp = new Date('2024-03-01T10:00:00.000Z')
    expect(
      toFloodgateContext(
        { admin: false, age: 42, email: 'a@b.c', org: null, signedUp, gone: undefined } as never,
        'userId',
      ),
    ).toEqual({
      success: true,
      data: {
        admin: false,
        age: 42,
        email: 'a@b.c',
        org: null,
        signedUp: '2024-03-01T10:00:00.000Z',
      },
    })
  })

  it('should keep lists of scalars and dates', () => {
    const day = new Date('2024-01-02T00:00:00.000Z')
    expect(toFloodgateContext({ roles: ['admin', 1, true, day] }, 'userId')).toEqual({
      success: true,
      data: { roles: ['admin', 1, true, '2024-01-02T00:00:00.000Z'] },
    })
  })

  it('should flatten nested objects into dotted names', () => {
    expect(
      toFloodgateContext(
        { org: { plan: 'enterprise', region: { code: 'NZ' } }, country: 'NZ' },
        'userId',
      ),
    ).toEqual({
      success: true,
      data: { 'org.plan': 'enterprise', 'org.region.code': 'NZ', country: 'NZ' },
    })
  })

  it('should keep a "__proto__" attribute as an attribute', () => {
    const context = JSON.parse('{"__proto__": "x", "plan": "pro"}')
    const result = toFloodgateContext(context, 'userId')
    expect(result.success && Object.hasOwn(result.data, '__proto__')).toBe(true)
    expect(result.success && Object.getPrototypeOf(result.data)).toBe(Object.prototype)
  })

  it.each([
    [{ targetingKey: 7 }, 'targetingKey must be a string, not a number'],
    [
      { devices: [{ id: 1 }] },
      'attribute "devices": a list may hold strings, numbers, booleans and dates, not an object',
    ],
    [
      { tags: ['a', null] },
      'attribute "tags": a list may hold strings, numbers, booleans and dates, not null',
    ],
    [{ seen: new Date('not a date') }, 'attribute "seen" is an invalid date'],
    [{ callback: () => 1 }, 'attribute "callback" is a function'],
    [
      { 'org.plan': 'pro', org: { plan: 'free' } },
      'attribute "org.plan" is given twice (once as a nested object)',
    ],
    [
      { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } },
      'attribute "a.b.c.d.e.f.g.h.i" is nested deeper than 8 levels',
    ],
  ])('should refuse %j: %s', (context, error) => {
    expect(toFloodgateContext(context as never, 'userId')).toEqual({ success: false, error })
  })

  it('should let a getter that throws escape, for the caller to report as GENERAL', () => {
    const context = {
      get plan(): string {
        throw new Error('unreadable')
      },
    }
    expect(() => toFloodgateContext(context, 'userId')).toThrow('unreadable')
  })
})
