import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { FlagSdkError, SchemaError } from './errors'
import { FlagClient } from './flagClient'
import { ErrorCode, Reason } from './reasons'
import { SignalsBatchSchema, type SnapshotFlag, type StreamPatch } from './schemas'
import { booleanFlag, canaryFlag, snapshotOf } from './testUtils/fixtures'
import type { Context, FlagClientEvent, Logger } from './types'

const theme: SnapshotFlag = {
  ...booleanFlag({ key: 'theme' }),
  kind: 'string',
  variants: { dark: 'dark', light: 'light' },
  offVariant: 'light',
  fallthrough: { variant: 'dark' },
}
const limits: SnapshotFlag = {
  ...booleanFlag({ key: 'limits' }),
  kind: 'json',
  variants: { small: { uploadMb: 10 }, large: { uploadMb: 100 } },
  offVariant: 'small',
  fallthrough: { variant: 'large' },
}
const proOnly = booleanFlag({
  key: 'pro-only',
  rules: [
    {
      conditions: [
        { attribute: 'plan', op: 'eq', values: ['pro'] },
        { attribute: 'country', op: 'in', values: ['NZ'] },
      ],
      serve: { variant: 'on' },
    },
  ],
  fallthrough: { variant: 'off' },
})

/** A 50 % canary under a rollout with a local guard. */
function guardedCanary(version = 1, minErrors = 5): SnapshotFlag {
  return {
    ...canaryFlag('new-checkout', 50),
    version,
    rollout: {
      id: 'r_1',
      stage: 2,
      treatment: 'on',
      control: 'off',
      localGuard: { minErrors, maxErrorRate: 0.5 },
    },
  }
}

/** A user the 50 % canary of new-checkout serves `on` (or `off`). */
function userServed(variant: 'on' | 'off'): string {
  const client = new FlagClient({ snapshot: snapshotOf([guardedCanary()]) })
  for (let i = 0; ; i++) {
    if (client.getVariant('new-checkout', { userId: `user-${i}` }) === variant) return `user-${i}`
  }
}

const silent: Logger = { warn: () => {}, error: () => {} }

function patch(
  previousVersion: number,
  version: number,
  key: string,
  flag: SnapshotFlag | null,
): StreamPatch {
  return { type: 'flag', previousVersion, version, key, flag }
}

describe('FlagClient', () => {
  describe('getters', () => {
    const client = new FlagClient({ snapshot: snapshotOf([proOnly, theme, limits]) })

    it('should answer isEnabled from the rules, false for a missing or non-boolean flag', () => {
      expect(client.isEnabled('pro-only', { plan: 'pro', country: 'NZ' })).toBe(true)
      expect(client.isEnabled('pro-only', { plan: 'free', country: 'NZ' })).toBe(false)
      expect(client.isEnabled('missing')).toBe(false)
      expect(client.isEnabled('theme')).toBe(false)
    })

    it('should return the value when its type matches the default, else the default', () => {
      expect(client.getValue('theme', 'light')).toBe('dark')
      expect(client.getValue('theme', 3)).toBe(3)
      expect(client.getValue('limits', { uploadMb: 1 })).toEqual({ uploadMb: 100 })
      expect(client.getValue('limits', false)).toBe(false)
      expect(client.getValue('missing', 'x')).toBe('x')
    })

    it('should name the variant served', () => {
      expect(client.getVariant('theme')).toBe('dark')
      expect(client.getVariant('missing')).toBeUndefined()
    })

    it('should give details with FLAG_NOT_FOUND and TYPE_MISMATCH', () => {
      expect(client.getDetails('theme', 'light')).toEqual({
        flagKey: 'theme',
        value: 'dark',
        variant: 'dark',
        reason: Reason.STATIC,
      })
      expect(client.getDetails('missing', true)).toMatchObject({
        value: true,
        reason: Reason.ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
      })
      expect(client.getDetails('theme', true)).toEqual({
        flagKey: 'theme',
        value: true,
        reason: Reason.ERROR,
        errorCode: ErrorCode.TYPE_MISMATCH,
        errorMessage: 'flag "theme" serves a string, the default is a boolean',
      })
      expect(client.getDetails('theme').value).toBe('dark')
    })

    it('should list every flag without counting exposures', () => {
      const fresh = new FlagClient({ snapshot: snapshotOf([proOnly, theme]) })
      expect(fresh.allFlags({ plan: 'pro', country: 'NZ' })).toEqual({
        'pro-only': {
          flagKey: 'pro-only',
          value: true,
          variant: 'on',
          reason: Reason.TARGETING_MATCH,
          ruleIndex: 0,
        },
        theme: { flagKey: 'theme', value: 'dark', variant: 'dark', reason: Reason.STATIC },
      })
      expect(fresh.signals.drain()).toBeNull()
    })

    it('should return defaults before a snapshot arrives', () => {
      const empty = new FlagClient()
      expect(empty.isEnabled('pro-only')).toBe(false)
      expect(empty.getValue('theme', 'light')).toBe('light')
      expect(empty.getVariant('theme')).toBeUndefined()
      expect(empty.allFlags()).toEqual({})
      expect(empty.getStatus()).toEqual({ status: 'loading' })
    })

    it('should serve the off value of a boolean split to a context without the unit', () => {
      const canary = new FlagClient({ snapshot: snapshotOf([canaryFlag('c', 100)]) })
      expect(canary.isEnabled('c', {})).toBe(false)
      expect(canary.getDetails('c', true, {})).toMatchObject({
        value: false,
        variant: 'off',
        reason: Reason.ERROR,
        errorCode: ErrorCode.TARGETING_KEY_MISSING,
      })
    })
  })

  describe('context', () => {
    it('should layer defaults < ambient < call, attribute by attribute', () => {
      let ambient: Context | undefined = { plan: 'pro' }
      const client = new FlagClient({
        snapshot: snapshotOf([proOnly]),
        context: { country: 'NZ', plan: 'free' },
        contextProvider: () => ambient,
      })
      expect(client.isEnabled('pro-only')).toBe(true)
      expect(client.isEnabled('pro-only', { country: 'AU' })).toBe(false)
      expect(client.isEnabled('pro-only', { plan: undefined })).toBe(true)
      expect(client.isEnabled('pro-only', { plan: null })).toBe(false)
      ambient = undefined
      expect(client.isEnabled('pro-only')).toBe(false)
      expect(client.isEnabled('pro-only', { plan: 'pro' })).toBe(true)
    })

    it('should evaluate correctly when a context getter re-enters the client', () => {
      const client = new FlagClient({ snapshot: snapshotOf([proOnly, theme]) })
      const context = {
        country: 'NZ',
        get plan() {
          return client.getValue('theme', 'light') === 'dark' ? 'pro' : 'free'
        },
      }
      expect(client.getDetails('pro-only', false, context)).toMatchObject({
        value: true,
        reason: Reason.TARGETING_MATCH,
        ruleIndex: 0,
      })
    })
  })

  describe('totality', () => {
    it('should never throw from a getter, whatever the key, default and context', () => {
      const client = new FlagClient({
        snapshot: snapshotOf([proOnly, theme, limits, guardedCanary()]),
        contextProvider: () => ({ userId: 'ambient' }),
      })
      const keys = fc.oneof(
        fc.constantFrom('pro-only', 'theme', 'limits', 'new-checkout'),
        fc.anything(),
      )
      fc.assert(
        fc.property(keys, fc.anything(), fc.anything(), (key, defaultValue, context) => {
          const k = key as string
          const c = context as Context
          expect(typeof client.isEnabled(k, c)).toBe('boolean')
          client.getValue(k, defaultValue as string, c)
          client.getVariant(k, c)
          expect(Object.values(Reason)).toContain(
            client.getDetails(k, defaultValue as string, c).reason,
          )
          client.allFlags(c)
          client.recordSuccess(k, c, { latencyMs: defaultValue as number })
          client.recordError(k, defaultValue, c)
        }),
        { numRuns: 2000 },
      )
    })

    it('should return defaults for a malformed flag in a trusted snapshot, serving the others', () => {
      const broken = {
        ...booleanFlag({ key: 'broken' }),
        variants: null,
      } as unknown as SnapshotFlag
      const client = new FlagClient({ snapshot: snapshotOf([broken, theme]) })
      expect(client.isEnabled('broken')).toBe(false)
      expect(client.getDetails('broken', true)).toMatchObject({
        value: true,
        reason: Reason.ERROR,
        errorCode: ErrorCode.PARSE_ERROR,
      })
      expect(client.getValue('theme', 'light')).toBe('dark')
    })
  })

  describe('setSnapshot', () => {
    it('should ignore an older snapshot and change nothing for the same version', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme], { version: 5 }) })
      const held = client.getSnapshot()
      expect(client.setSnapshot(snapshotOf([proOnly], { version: 4 }))).toEqual({
        status: 'stale',
        version: 5,
        got: 4,
      })
      expect(client.setSnapshot(snapshotOf([proOnly], { version: 5 }))).toEqual({
        status: 'unchanged',
        version: 5,
      })
      expect(client.getSnapshot()).toBe(held)
    })

    it('should serve an older snapshot with replace, keeping unchanged objects', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme, proOnly], { version: 9 }) })
      const held = client.getSnapshot()
      const changes: string[][] = []
      client.on('change', (event) => changes.push(event.flagKeys))
      expect(
        client.setSnapshot(snapshotOf([theme, proOnly], { version: 9 }), { replace: true }),
      ).toEqual({
        status: 'unchanged',
        version: 9,
      })
      expect(client.getSnapshot()).toBe(held)
      const killed = { ...proOnly, killed: true }
      expect(
        client.setSnapshot(snapshotOf([theme, killed], { version: 2 }), { replace: true }),
      ).toEqual({
        status: 'applied',
        version: 2,
        flagKeys: ['pro-only'],
      })
      expect(client.getSnapshot()?.version).toBe(2)
      expect(client.getSnapshot()?.flags.theme).toBe(held?.flags.theme)
      expect(client.isEnabled('pro-only', { plan: 'pro', country: 'NZ' })).toBe(false)
      expect(changes).toEqual([['pro-only']])
      expect(client.getStatus()).toEqual({ status: 'ready', version: 2 })
    })

    it('should keep the objects of unchanged flags and name the changed ones', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme, proOnly], { version: 1 }) })
      const before = client.getSnapshot()
      const changes: FlagClientEvent[] = []
      client.on('change', (e) => changes.push(e))
      const refetched = structuredClone(
        snapshotOf([theme, { ...proOnly, enabled: false }], { version: 2 }),
      )
      expect(client.setSnapshot(refetched)).toEqual({
        status: 'applied',
        version: 2,
        flagKeys: ['pro-only'],
      })
      const after = client.getSnapshot()
      expect(after).not.toBe(before)
      expect(after?.flags.theme).toBe(before?.flags.theme)
      expect(after?.flags['pro-only']).not.toBe(before?.flags['pro-only'])
      expect(after?.segments).toBe(before?.segments)
      expect(changes).toEqual([{ type: 'change', version: 2, flagKeys: ['pro-only'] }])
    })

    it('should name removed flags and flags whose segment changed', () => {
      const inSegment = booleanFlag({
        key: 'staff',
        rules: [
          {
            conditions: [{ attribute: 's', op: 'inSegment', values: ['staff'] }],
            serve: { variant: 'on' },
          },
        ],
        fallthrough: { variant: 'off' },
      })
      const segment = (email: string) => ({
        staff: { conditions: [{ attribute: 'email', op: 'eq' as const, values: [email] }] },
      })
      const client = new FlagClient({
        snapshot: snapshotOf([inSegment, theme], { segments: segment('a@acme.com') }),
      })
      expect(client.isEnabled('staff', { email: 'a@acme.com' })).toBe(true)
      const result = client.setSnapshot(
        snapshotOf([inSegment], { version: 2, segments: segment('b@acme.com') }),
      )
      expect(result).toEqual({ status: 'applied', version: 2, flagKeys: ['theme', 'staff'] })
      expect(client.isEnabled('staff', { email: 'a@acme.com' })).toBe(false)
      expect(client.isEnabled('staff', { email: 'b@acme.com' })).toBe(true)
    })

    it('should parse untrusted JSON, throwing a SchemaError and changing nothing when invalid', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme]) })
      const held = client.getSnapshot()
      const invalid = { ...snapshotOf([canaryFlag('c', 10)], { version: 2 }) }
      const flag = invalid.flags.c
      if (flag && 'split' in flag.fallthrough) flag.fallthrough.split.pop()
      expect(() => client.setSnapshotFromJson(invalid)).toThrow(SchemaError)
      expect(() => client.setSnapshotFromJson('{"schemaVersion":')).toThrow(SchemaError)
      try {
        client.setSnapshotFromJson(invalid)
      } catch (error) {
        expect(error).toBeInstanceOf(SchemaError)
        expect((error as SchemaError).code).toBe(ErrorCode.PARSE_ERROR)
        expect((error as SchemaError).issues[0]?.path).toBe('/flags/c/fallthrough/split')
      }
      expect(client.getSnapshot()).toBe(held)
      const valid = JSON.stringify(snapshotOf([canaryFlag('c', 10)], { version: 2 }))
      expect(client.setSnapshotFromJson(valid)).toMatchObject({ status: 'applied', version: 2 })
      expect(() => client.setSnapshot(null as never)).toThrow(FlagSdkError)
    })
  })

  describe('applyPatch', () => {
    it('should apply a patch in sequence, sharing unchanged flags', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme, proOnly], { version: 10 }) })
      const before = client.getSnapshot()
      const result = client.applyPatch(patch(10, 11, 'pro-only', { ...proOnly, killed: true }))
      expect(result).toEqual({ status: 'applied', version: 11, flagKeys: ['pro-only'] })
      const after = client.getSnapshot()
      expect(after?.version).toBe(11)
      expect(after?.flags.theme).toBe(before?.flags.theme)
      expect(client.getDetails('pro-only', true, { plan: 'pro', country: 'NZ' }).reason).toBe(
        Reason.KILLED,
      )
    })

    it('should delete a flag and add one', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme], { version: 1 }) })
      client.applyPatch(patch(1, 2, 'theme', null))
      client.applyPatch(patch(2, 3, 'pro-only', proOnly))
      expect(Object.keys(client.getSnapshot()?.flags ?? {})).toEqual(['pro-only'])
      expect(client.getDetails('theme').errorCode).toBe(ErrorCode.FLAG_NOT_FOUND)
    })

    it('should report a replayed patch as stale and a gap without touching state', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme], { version: 10 }) })
      const events: FlagClientEvent[] = []
      client.subscribe((e) => events.push(e))
      const held = client.getSnapshot()
      expect(client.applyPatch(patch(9, 10, 'theme', null))).toEqual({
        status: 'stale',
        version: 10,
        got: 10,
      })
      expect(client.applyPatch(patch(11, 12, 'theme', null))).toEqual({
        status: 'gap',
        expected: 10,
        got: 11,
      })
      expect(client.getSnapshot()).toBe(held)
      expect(client.getStatus()).toEqual({ status: 'stale', version: 10 })
      expect(events).toEqual([{ type: 'stale', version: 10, cause: 'gap' }])
      client.setSnapshot(snapshotOf([theme], { version: 12 }))
      expect(client.getStatus()).toEqual({ status: 'ready', version: 12 })
      expect(new FlagClient().applyPatch(patch(1, 2, 'theme', null))).toEqual({
        status: 'gap',
        expected: null,
        got: 1,
      })
    })

    it('should re-evaluate flags that use a patched segment', () => {
      const staff = booleanFlag({
        key: 'staff',
        rules: [
          {
            conditions: [{ attribute: 's', op: 'inSegment', values: ['staff'] }],
            serve: { variant: 'on' },
          },
        ],
        fallthrough: { variant: 'off' },
      })
      const client = new FlagClient({ snapshot: snapshotOf([staff, theme]) })
      expect(client.isEnabled('staff', { country: 'NZ' })).toBe(false)
      const result = client.applyPatch({
        type: 'segment',
        previousVersion: 1,
        version: 2,
        key: 'staff',
        segment: { conditions: [{ attribute: 'country', op: 'in', values: ['NZ'] }] },
      })
      expect(result).toEqual({ status: 'applied', version: 2, flagKeys: ['staff'] })
      expect(client.isEnabled('staff', { country: 'NZ' })).toBe(true)
    })

    it('should reject an invalid patch from JSON', () => {
      const client = new FlagClient({ snapshot: snapshotOf([theme], { version: 1 }) })
      const wrongKey = JSON.stringify(patch(1, 2, 'other', theme))
      expect(() => client.applyPatchFromJson(wrongKey)).toThrow(SchemaError)
      expect(client.getSnapshot()?.version).toBe(1)
      expect(client.applyPatchFromJson(JSON.stringify(patch(1, 2, 'theme', null)))).toMatchObject({
        status: 'applied',
      })
    })
  })

  describe('events', () => {
    it('should emit ready once and change with the changed keys, to unbound subscribers', () => {
      const client = new FlagClient()
      const events: FlagClientEvent[] = []
      const { subscribe, getSnapshot, getStatus } = client
      const unsubscribe = subscribe((e) => events.push(e))
      client.setSnapshot(snapshotOf([theme], { version: 1 }))
      client.applyPatch(patch(1, 2, 'theme', { ...theme, enabled: false }))
      unsubscribe()
      client.applyPatch(patch(2, 3, 'theme', theme))
      expect(getSnapshot()?.version).toBe(3)
      expect(getStatus()).toEqual({ status: 'ready', version: 3 })
      expect(events).toEqual([
        { type: 'ready', version: 1 },
        { type: 'change', version: 2, flagKeys: ['theme'] },
      ])
    })

    it('should keep running listeners after one throws, and report it', () => {
      const logger: Logger = { warn: vi.fn(), error: vi.fn() }
      const client = new FlagClient({ logger })
      const seen: string[] = []
      const errors: FlagSdkError[] = []
      client.on('ready', () => {
        throw new Error('listener bug')
      })
      client.on('ready', () => seen.push('second'))
      client.on('error', (e) => {
        errors.push(e.error)
        throw new Error('error listener bug')
      })
      client.setSnapshot(snapshotOf([theme]))
      expect(seen).toEqual(['second'])
      expect(errors.map((e) => e.message)).toEqual(['a "ready" listener threw: listener bug'])
      expect(logger.error).toHaveBeenCalledTimes(2)
    })

    it('should report transport errors: stale with a snapshot, error without', () => {
      const noSnapshot = new FlagClient()
      noSnapshot.reportError(new Error('ECONNREFUSED'))
      const status = noSnapshot.getStatus()
      expect(status.status).toBe('error')
      if (status.status === 'error') expect(status.error.message).toBe('ECONNREFUSED')
      const client = new FlagClient({ snapshot: snapshotOf([theme]) })
      const events: FlagClientEvent['type'][] = []
      client.subscribe((e) => events.push(e.type))
      client.reportError(new FlagSdkError('HTTP_503', 'unavailable'))
      expect(client.getStatus()).toMatchObject({ status: 'stale', version: 1 })
      expect(events).toEqual(['stale', 'error'])
      expect(client.getValue('theme', 'light')).toBe('dark')
    })
  })

  describe('signals', () => {
    it('should count exposures and outcomes for the variant served', () => {
      const onUser = userServed('on')
      const offUser = userServed('off')
      const client = new FlagClient({
        snapshot: snapshotOf([guardedCanary(1, 1000)]),
        sdk: { name: 'test-sdk', version: '9.9.9', instanceId: 'i-1' },
        now: () => 1_000,
      })
      client.isEnabled('new-checkout', { userId: onUser })
      client.isEnabled('new-checkout', { userId: onUser })
      client.getValue('new-checkout', false, { userId: offUser })
      client.recordSuccess('new-checkout', { userId: onUser }, { latencyMs: 7 })
      client.recordError('new-checkout', new Error('x'), { userId: onUser }, { latencyMs: 300 })
      client.recordError('new-checkout', new Error('x'), { userId: onUser })
      client.recordError('new-checkout', new Error('x'), { userId: offUser })
      const batch = client.signals.drain(2_000)
      expect(SignalsBatchSchema.safeParse(batch).success).toBe(true)
      expect(batch).toMatchObject({
        sdk: { name: 'test-sdk', version: '9.9.9', instanceId: 'i-1' },
        window: { start: 1_000, end: 2_000 },
        flags: {
          'new-checkout': {
            on: {
              exposures: 2,
              successes: 1,
              errors: 2,
              errorUnits: 1,
              latencyMs: { count: 2, sumMs: 307, maxMs: 300 },
            },
            off: { exposures: 1, successes: 0, errors: 1, errorUnits: 1 },
          },
        },
      })
      expect(batch?.flags['new-checkout']?.on?.latencyMs?.buckets).toEqual([
        0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
      ])
      expect(client.signals.drain(3_000)).toBeNull()
    })

    it('should guard a sync function: return its value, rethrow its error, stay sync', () => {
      const onUser = userServed('on')
      const client = new FlagClient({ snapshot: snapshotOf([guardedCanary(1, 1000)]) })
      const ctx = { userId: onUser }
      expect(client.guard('new-checkout', ctx, () => 42)).toBe(42)
      const failure = new Error('sync failure')
      expect(() =>
        client.guard('new-checkout', ctx, () => {
          throw failure
        }),
      ).toThrow(failure)
      expect(client.guard('missing-flag', ctx, () => 'still runs')).toBe('still runs')
      const on = client.signals.drain()?.flags['new-checkout']?.on
      expect(on).toMatchObject({ exposures: 0, successes: 1, errors: 1, errorUnits: 1 })
      expect(on?.latencyMs?.count).toBe(2)
    })

    it('should guard an async function: return the same promise, count when it settles', async () => {
      const offUser = userServed('off')
      const client = new FlagClient({ snapshot: snapshotOf([guardedCanary(1, 1000)]) })
      const ctx = { userId: offUser }
      const ok = Promise.resolve('done')
      expect(client.guard('new-checkout', ctx, () => ok)).toBe(ok)
      await expect(ok).resolves.toBe('done')
      const failure = new Error('async failure')
      const rejected = client.guard('new-checkout', ctx, () => Promise.reject(failure))
      await expect(rejected).rejects.toBe(failure)
      await Promise.resolve()
      expect(client.signals.drain()?.flags['new-checkout']?.off).toMatchObject({
        successes: 1,
        errors: 1,
      })
    })
  })

  describe('local guard', () => {
    it('should trip, serve control, report, and reset on a newer flag version', () => {
      const onUser = userServed('on')
      const client = new FlagClient({ snapshot: snapshotOf([guardedCanary(1, 5)]), logger: silent })
      const ctx = { userId: onUser }
      const events: FlagClientEvent[] = []
      client.subscribe((e) => events.push(e))
      const urgent = vi.fn()
      client.signals.on('urgent', urgent)
      for (let i = 0; i < 3; i++) client.recordSuccess('new-checkout', ctx)
      for (let i = 0; i < 4; i++) client.recordError('new-checkout', new Error(`e${i}`), ctx)
      expect(client.isEnabled('new-checkout', ctx)).toBe(true)
      client.recordError('new-checkout', new Error('last'), ctx)
      // 5 errors, rate 5/8 > 0.5: tripped.
      expect(client.isEnabled('new-checkout', ctx)).toBe(false)
      expect(client.getDetails('new-checkout', true, ctx)).toMatchObject({
        value: false,
        variant: 'off',
        reason: Reason.KILLED,
      })
      const trip = events.find((e) => e.type === 'localGuardTrip')
      expect(trip).toMatchObject({
        flagKey: 'new-checkout',
        flagVersion: 1,
        rolloutId: 'r_1',
        treatment: 'on',
        control: 'off',
        errors: 5,
        successes: 3,
      })
      expect((trip as { lastError: Error }).lastError.message).toBe('last')
      expect(events).toContainEqual({ type: 'change', version: 1, flagKeys: ['new-checkout'] })
      expect(urgent).toHaveBeenCalledWith({
        type: 'urgent',
        flagKey: 'new-checkout',
        cause: 'localGuardTrip',
      })
      expect(client.signals.drain()?.tripped).toEqual(['new-checkout'])

      // The same version again (a refetch) keeps it tripped; a newer one resets it.
      client.setSnapshot(
        snapshotOf([{ ...guardedCanary(1, 5), clientSide: false }], { version: 2 }),
      )
      expect(client.isEnabled('new-checkout', ctx)).toBe(false)
      client.applyPatch(patch(2, 3, 'new-checkout', guardedCanary(2, 5)))
      expect(client.isEnabled('new-checkout', ctx)).toBe(true)
      expect(client.signals.drain()?.tripped).toBeUndefined()
    })

    it('should serve control from a tripped guard when the rollout serves treatment to everyone', () => {
      const everyone: SnapshotFlag = {
        ...guardedCanary(1, 2),
        fallthrough: { variant: 'on' },
      }
      const client = new FlagClient({ snapshot: snapshotOf([everyone]), logger: silent })
      const ctx = { userId: 'user-1' }
      expect(client.isEnabled('new-checkout', ctx)).toBe(true)
      client.recordError('new-checkout', new Error('a'), ctx)
      client.recordError('new-checkout', new Error('b'), ctx)
      expect(client.isEnabled('new-checkout', ctx)).toBe(false)
      expect(client.isEnabled('new-checkout')).toBe(false)
      expect(client.signals.drain()?.flags['new-checkout']).toMatchObject({
        on: { exposures: 1, errors: 2 },
        off: { exposures: 2 },
      })
    })

    it('should not trip below minErrors or at a low error rate', () => {
      const onUser = userServed('on')
      const client = new FlagClient({ snapshot: snapshotOf([guardedCanary(1, 5)]) })
      const ctx = { userId: onUser }
      for (let i = 0; i < 4; i++) client.recordError('new-checkout', undefined, ctx)
      expect(client.isEnabled('new-checkout', ctx)).toBe(true)
      for (let i = 0; i < 20; i++) client.recordSuccess('new-checkout', ctx)
      for (let i = 0; i < 6; i++) client.recordError('new-checkout', undefined, ctx)
      expect(client.isEnabled('new-checkout', ctx)).toBe(true)
    })

    it('should fire urgent once per window when treatment errors cross the threshold', () => {
      const onUser = userServed('on')
      const client = new FlagClient({
        snapshot: snapshotOf([guardedCanary(1, 1000)]),
        urgentErrors: 3,
      })
      const urgent = vi.fn()
      client.signals.on('urgent', urgent)
      for (let i = 0; i < 5; i++) client.recordError('new-checkout', undefined, { userId: onUser })
      expect(urgent).toHaveBeenCalledTimes(1)
      expect(urgent).toHaveBeenCalledWith({
        type: 'urgent',
        flagKey: 'new-checkout',
        cause: 'errors',
      })
      client.signals.drain()
      for (let i = 0; i < 3; i++) client.recordError('new-checkout', undefined, { userId: onUser })
      expect(urgent).toHaveBeenCalledTimes(2)
    })
  })

  describe('adapter support', () => {
    it('should peek at details like getDetails without counting, and count exposures by variant', () => {
      const onUser = userServed('on')
      const client = new FlagClient({ snapshot: snapshotOf([guardedCanary(1, 1000), theme]) })
      const ctx = { userId: onUser }
      expect(client.peekDetails('new-checkout', false, ctx)).toEqual(
        client.getDetails('new-checkout', false, ctx),
      )
      expect(client.peekDetails('theme', true)).toMatchObject({ errorCode: 'TYPE_MISMATCH' })
      expect(client.peekDetails('theme')).toMatchObject({ value: 'dark', variant: 'dark' })
      expect(client.peekDetails('missing')).toMatchObject({ value: undefined, reason: 'ERROR' })
      client.signals.drain()
      client.peekDetails('new-checkout', false, ctx)
      expect(client.signals.drain()).toBeNull()
      client.recordExposure('new-checkout', 'off')
      client.recordExposure('new-checkout', 'off')
      client.recordExposure('new-checkout', 'no-such-variant')
      client.recordExposure('missing', 'on')
      expect(client.signals.drain()?.flags).toEqual({
        'new-checkout': { off: { exposures: 2, successes: 0, errors: 0, errorUnits: 0 } },
      })
    })

    it('should change a flag revision exactly when what the flag serves may change', () => {
      const staff = booleanFlag({
        key: 'staff',
        rules: [
          {
            conditions: [{ attribute: 's', op: 'inSegment', values: ['staff'] }],
            serve: { variant: 'on' },
          },
        ],
        fallthrough: { variant: 'off' },
      })
      const client = new FlagClient({ logger: silent })
      const revisions = () =>
        ['staff', 'theme', 'new-checkout', 'missing'].map((k) => client.getFlagRevision(k))
      expect(revisions()).toEqual([0, 0, 0, 0])
      client.setSnapshot(snapshotOf([staff, theme, guardedCanary(1, 1)], { version: 1 }))
      const first = revisions()
      expect(new Set(first).size).toBe(1)
      expect(first[0]).not.toBe(0)

      client.setSnapshot(snapshotOf([staff, theme, guardedCanary(1, 1)], { version: 1 }))
      client.setSnapshot(snapshotOf([staff, theme, guardedCanary(1, 1)], { version: 2 }))
      client.reportError(new Error('stream lost'))
      expect(revisions()).toEqual(first)

      const seen: number[] = []
      client.on('change', () => seen.push(client.getFlagRevision('theme')))
      client.applyPatch(patch(2, 3, 'theme', { ...theme, enabled: false }))
      const afterTheme = revisions()
      expect(afterTheme[1]).not.toBe(first[1])
      expect(seen).toEqual([afterTheme[1]])
      expect([afterTheme[0], afterTheme[2], afterTheme[3]]).toEqual([first[0], first[2], first[3]])

      client.applyPatch({
        type: 'segment',
        previousVersion: 3,
        version: 4,
        key: 'staff',
        segment: { conditions: [] },
      })
      const afterSegment = revisions()
      expect(afterSegment[0]).not.toBe(afterTheme[0])
      expect(afterSegment.slice(1)).toEqual(afterTheme.slice(1))

      client.recordError('new-checkout', new Error('boom'), { userId: userServed('on') })
      const afterTrip = revisions()
      expect(afterTrip[2]).not.toBe(afterSegment[2])
      expect([afterTrip[0], afterTrip[1], afterTrip[3]]).toEqual([
        afterSegment[0],
        afterSegment[1],
        afterSegment[3],
      ])

      client.applyPatch(patch(4, 5, 'missing', booleanFlag({ key: 'missing' })))
      client.applyPatch(patch(5, 6, 'theme', null))
      const last = revisions()
      expect(last[3]).not.toBe(afterTrip[3])
      expect(last[1]).not.toBe(afterTrip[1])
      expect(new Set([...first, ...afterTheme, ...afterSegment, ...afterTrip, ...last]).size).toBe(
        6,
      )
    })
  })
})
