import type { FlagConfig, FlagDefinition, SignalsBatch } from '@floodgate/core'
import { FlagDefinitionSchema, LATENCY_BUCKETS_MS, RolloutPlanSchema } from '@floodgate/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Actor, CommitEvent } from '../types'
import {
  type NewRollout,
  type RolloutTransition,
  type RolloutVariantSignals,
  type Store,
  StoreError,
} from './store'

const alice: Actor = { name: 'alice', tokenId: 'tok_alice' }
const ENVS = ['development', 'production', 'staging']

function booleanFlag(key: string, extra: Record<string, unknown> = {}): FlagDefinition {
  return FlagDefinitionSchema.parse({ key, kind: 'boolean', ...extra })
}

const split = (on: number): FlagConfig => ({
  enabled: true,
  killed: false,
  rules: [],
  fallthrough: {
    split: [
      { variant: 'on', weight: on },
      { variant: 'off', weight: 10000 - on },
    ],
    by: 'userId',
  },
})

const ref = (id: string) => ({ id, stage: 0, treatment: 'on', control: 'off' })

function newRollout(id: string, flag: string, startedAt = '2030-01-01T00:00:00.000Z'): NewRollout {
  return {
    record: {
      id,
      environment: 'production',
      flag,
      status: 'running',
      stageIndex: 0,
      percent: 1,
      plan: RolloutPlanSchema.parse({ treatment: 'on', control: 'off' }),
      startedAt,
      stageStartedAt: startedAt,
      monitor: { n: 0 },
      createdBy: 'alice',
    },
    actor: alice,
    decision: { at: startedAt, action: 'start', reason: 'go', stageIndex: 0 },
    config: (current) => ({ ...current.config, ...split(100), rollout: ref(id) }),
  }
}

async function versions(store: Store): Promise<Record<string, number>> {
  return Object.fromEntries((await store.listEnvironments()).map((e) => [e.name, e.version]))
}

async function expectStoreError(promise: Promise<unknown>, code: StoreError['code']) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(StoreError)
  expect((error as StoreError).code).toBe(code)
}

/**
 * The behaviour every `Store` implementation must have. Call it from the
 * implementation's test file with a factory that returns a fresh, empty store.
 *
 * @example
 * describeStoreConformance('createSqliteStore', () => createSqliteStore({ path: ':memory:' }))
 */
export function describeStoreConformance(name: string, factory: () => Promise<Store>): void {
  describe(`${name} (Store conformance)`, () => {
    let store: Store
    let events: CommitEvent[]

    beforeEach(async () => {
      store = await factory()
      events = []
      store.subscribe((event) => events.push(event))
    })
    afterEach(async () => {
      await store.close()
    })

    it('should start with development, staging and production at version 0', async () => {
      expect(await versions(store)).toEqual({ development: 0, staging: 0, production: 0 })
      expect(await store.ping()).toBeUndefined()
    })

    it('should create a flag with a disabled configuration in every environment', async () => {
      const created = await store.createFlag(booleanFlag('new-checkout'), alice)
      expect(created).toMatchObject({ key: 'new-checkout', createdBy: 'alice', updatedBy: 'alice' })
      expect(await store.getFlag('new-checkout')).toEqual(created)
      for (const env of ENVS) {
        expect(await store.getFlagConfig(env, 'new-checkout')).toMatchObject({
          version: 1,
          config: { enabled: false, killed: false, rules: [], fallthrough: { variant: 'off' } },
        })
      }
      expect(await versions(store)).toEqual({ development: 1, staging: 1, production: 1 })
      expect(events).toHaveLength(1)
      expect(events[0]?.changes.map((c) => [c.environment, c.version])).toEqual(
        ENVS.map((e) => [e, 1]),
      )
      expect(events[0]?.audit).toMatchObject([
        { action: 'flag.create', actor: 'alice', actorTokenId: 'tok_alice', environment: null },
      ])
    })

    it('should refuse a duplicate flag and change nothing', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await expectStoreError(store.createFlag(booleanFlag('a'), alice), 'already_exists')
      expect(await versions(store)).toEqual({ development: 1, staging: 1, production: 1 })
      expect(events).toHaveLength(1)
    })

    it('should version a configuration change, keep its history and audit it', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      const result = await store.updateFlagConfig('production', 'a', {
        action: 'config.rollout',
        actor: alice,
        reason: 'canary',
        expectedVersion: 1,
        apply: () => split(2500),
      })
      expect(result).toMatchObject({ changed: true, environmentVersion: 2 })
      expect(result.config).toMatchObject({ version: 2, config: split(2500), updatedBy: 'alice' })
      expect(await store.getFlagConfig('production', 'a')).toEqual(result.config)
      expect((await store.getFlagConfig('production', 'a', 1))?.config.enabled).toBe(false)
      expect((await store.getFlagConfig('production', 'a', 2))?.config).toEqual(split(2500))
      expect(await store.getFlagConfig('production', 'a', 3)).toBeUndefined()
      const history = await store.listFlagConfigVersions('production', 'a', { limit: 10 })
      expect(history.map((c) => [c.version, c.updatedBy])).toEqual([
        [2, 'alice'],
        [1, 'alice'],
      ])
      expect(history[0]).toEqual(result.config)
      expect(
        await store.listFlagConfigVersions('production', 'a', { before: 2, limit: 10 }),
      ).toMatchObject([{ version: 1, config: { enabled: false } }])
      expect(await store.listFlagConfigVersions('production', 'a', { limit: 1 })).toHaveLength(1)
      expect(await store.listFlagConfigVersions('staging', 'b', { limit: 10 })).toEqual([])
      expect(await versions(store)).toEqual({ development: 1, staging: 1, production: 2 })
      const last = events.at(-1)
      expect(last?.changes).toEqual([
        expect.objectContaining({ type: 'flag', environment: 'production', version: 2, key: 'a' }),
      ])
      expect(last?.audit[0]).toMatchObject({
        action: 'config.rollout',
        environment: 'production',
        environmentVersion: 2,
        reason: 'canary',
        after: split(2500),
        before: { enabled: false },
      })
    })

    it('should write nothing when a change leaves the configuration equal', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      const result = await store.updateFlagConfig('staging', 'a', {
        action: 'config.update',
        actor: alice,
        apply: (current) => ({ ...current.config, killReason: undefined }),
      })
      expect(result).toMatchObject({
        changed: false,
        environmentVersion: 1,
        config: { version: 1 },
      })
      expect(events).toHaveLength(1)
    })

    it('should refuse a stale expected version or a refused change and write nothing', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await expectStoreError(
        store.updateFlagConfig('staging', 'a', {
          action: 'config.update',
          actor: alice,
          expectedVersion: 7,
          apply: () => split(100),
        }),
        'stale_version',
      )
      await expect(
        store.updateFlagConfig('staging', 'a', {
          action: 'config.update',
          actor: alice,
          apply: () => {
            throw new Error('refused')
          },
        }),
      ).rejects.toThrow('refused')
      await expectStoreError(
        store.updateFlagConfig('nowhere', 'a', {
          action: 'config.update',
          actor: alice,
          apply: () => split(100),
        }),
        'not_found',
      )
      await expectStoreError(
        store.updateFlagConfig('staging', 'missing', {
          action: 'config.update',
          actor: alice,
          apply: () => split(100),
        }),
        'not_found',
      )
      expect(await versions(store)).toEqual({ development: 1, staging: 1, production: 1 })
      expect((await store.getFlagConfig('staging', 'a'))?.version).toBe(1)
      expect(events).toHaveLength(1)
    })

    it('should give apply the flag and the environment segment keys', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await store.putSegment('staging', 'staff', { conditions: [] }, alice)
      let seen: string[] = []
      await store.updateFlagConfig('staging', 'a', {
        action: 'config.update',
        actor: alice,
        apply: (current, { flag, segmentKeys }) => {
          seen = [flag.key, ...segmentKeys]
          return current.config
        },
      })
      expect(seen).toEqual(['a', 'staff'])
    })

    it('should bump every environment when evaluated definition fields change', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await store.updateFlag('a', booleanFlag('a', { description: 'only words' }), alice)
      expect(await versions(store)).toEqual({ development: 1, staging: 1, production: 1 })
      const updated = await store.updateFlag('a', booleanFlag('a', { clientSide: true }), alice)
      expect(updated).toMatchObject({ clientSide: true, description: '', createdBy: 'alice' })
      expect(await versions(store)).toEqual({ development: 2, staging: 2, production: 2 })
      expect((await store.getFlagConfig('development', 'a'))?.version).toBe(2)
      const last = events.at(-1)
      expect(last?.changes).toHaveLength(3)
      expect(last?.changes[0]).toMatchObject({ type: 'flag', flag: { clientSide: true } })
      expect(events.map((e) => e.audit[0]?.action)).toEqual([
        'flag.create',
        'flag.update',
        'flag.update',
      ])
    })

    it('should let updateFlag validation refuse a definition and write nothing', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      let configsSeen = 0
      await expect(
        store.updateFlag('a', booleanFlag('a', { clientSide: true }), alice, (configs) => {
          configsSeen = configs.length
          throw new Error('no')
        }),
      ).rejects.toThrow('no')
      expect(configsSeen).toBe(3)
      expect((await store.getFlag('a'))?.clientSide).toBe(false)
      await expectStoreError(
        store.updateFlag('missing', booleanFlag('missing'), alice),
        'not_found',
      )
    })

    it('should delete a flag everywhere with its history', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await store.deleteFlag('a', alice)
      expect(await store.getFlag('a')).toBeUndefined()
      expect(await store.getFlagConfig('production', 'a')).toBeUndefined()
      expect(await store.getFlagConfig('production', 'a', 1)).toBeUndefined()
      expect(events.at(-1)?.changes).toEqual(
        ENVS.map((environment) => ({
          type: 'flag',
          environment,
          version: 2,
          key: 'a',
          flag: null,
        })),
      )
      await expectStoreError(store.deleteFlag('a', alice), 'not_found')
      await store.createFlag(booleanFlag('a'), alice)
      expect((await store.getFlagConfig('production', 'a'))?.version).toBe(1)
    })

    it('should create, replace and delete segments, refusing to delete one in use', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      const staff = {
        conditions: [{ attribute: 'email', op: 'endsWith' as const, values: ['@acme.com'] }],
      }
      expect(await store.putSegment('production', 'staff', staff, alice)).toMatchObject({
        created: true,
        changed: true,
      })
      expect(await store.putSegment('production', 'staff', staff, alice)).toMatchObject({
        created: false,
        changed: false,
      })
      expect((await store.getSegment('production', 'staff'))?.segment).toEqual(staff)
      expect(await store.listSegments('staging')).toEqual([])
      await store.updateFlagConfig('production', 'a', {
        action: 'config.update',
        actor: alice,
        apply: (c) => ({
          ...c.config,
          rules: [
            {
              conditions: [{ attribute: 'userId', op: 'inSegment', values: ['staff'] }],
              serve: { variant: 'on' },
            },
          ],
        }),
      })
      await expectStoreError(store.deleteSegment('production', 'staff', alice), 'conflict')
      expect((await store.getEnvironment('production'))?.version).toBe(3)
      await store.updateFlagConfig('production', 'a', {
        action: 'config.update',
        actor: alice,
        apply: (c) => ({ ...c.config, rules: [] }),
      })
      await store.deleteSegment('production', 'staff', alice)
      expect(await store.getSegment('production', 'staff')).toBeUndefined()
      expect(events.at(-1)?.changes).toEqual([
        { type: 'segment', environment: 'production', version: 5, key: 'staff', segment: null },
      ])
      await expectStoreError(store.deleteSegment('production', 'staff', alice), 'not_found')
      await expectStoreError(store.putSegment('nowhere', 'x', staff, alice), 'not_found')
    })

    it('should load everything an environment serves', async () => {
      await store.createFlag(booleanFlag('a', { clientSide: true }), alice)
      await store.putSegment('staging', 'staff', { conditions: [] }, alice)
      const state = await store.loadEnvironment('staging')
      expect(state).toEqual({
        name: 'staging',
        version: 2,
        flags: [
          {
            key: 'a',
            kind: 'boolean',
            version: 1,
            variants: { on: true, off: false },
            offVariant: 'off',
            enabled: false,
            killed: false,
            salt: 'a',
            rules: [],
            fallthrough: { variant: 'off' },
            clientSide: true,
          },
        ],
        segments: { staff: { conditions: [] } },
      })
      expect(await store.loadEnvironment('nowhere')).toBeUndefined()
    })

    it('should create an environment holding every flag', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      const env = await store.createEnvironment('qa', alice)
      expect(env).toMatchObject({ name: 'qa', version: 1 })
      expect((await store.getFlagConfig('qa', 'a'))?.version).toBe(1)
      expect(events.at(-1)?.changes).toEqual([
        { type: 'environment', environment: 'qa', version: 1 },
      ])
      await expectStoreError(store.createEnvironment('qa', alice), 'already_exists')
    })

    it('should filter and page the audit log, newest first', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await store.createFlag(booleanFlag('b'), { name: 'bob', tokenId: null })
      for (const on of [100, 200, 300]) {
        await store.updateFlagConfig('production', 'a', {
          action: 'config.rollout',
          actor: alice,
          apply: () => split(on),
        })
      }
      await store.updateFlagConfig('staging', 'a', {
        action: 'config.kill',
        actor: alice,
        apply: (c) => ({ ...c.config, killed: true }),
      })
      const all = await store.queryAudit({ limit: 100 })
      expect(all.entries.map((e) => e.action)).toEqual([
        'config.kill',
        'config.rollout',
        'config.rollout',
        'config.rollout',
        'flag.create',
        'flag.create',
      ])
      expect(all.nextCursor).toBeNull()
      const production = await store.queryAudit({ flag: 'a', environment: 'production', limit: 2 })
      expect(production.entries.map((e) => e.environmentVersion)).toEqual([5, 4])
      const page2 = await store.queryAudit({
        flag: 'a',
        environment: 'production',
        limit: 2,
        before: production.nextCursor ?? 0,
      })
      expect(page2.entries.map((e) => e.action)).toEqual(['config.rollout', 'flag.create'])
      expect(page2.nextCursor).toBeNull()
      expect((await store.queryAudit({ actor: 'bob', limit: 10 })).entries).toHaveLength(1)
      const newest = all.entries[0]?.id ?? 0
      expect(
        (await store.queryAudit({ after: newest - 2, limit: 10 })).entries.map((e) => e.id),
      ).toEqual([newest, newest - 1])
      expect((await store.queryAudit({ action: 'config.kill', limit: 10 })).entries).toHaveLength(1)
      const at = all.entries[0]?.at ?? ''
      expect((await store.queryAudit({ since: at, limit: 10 })).entries.length).toBeGreaterThan(0)
      expect(
        (await store.queryAudit({ until: '2000-01-01T00:00:00.000Z', limit: 10 })).entries,
      ).toEqual([])
    })

    it('should create, find, list and revoke tokens, keeping one admin', async () => {
      const admin = await store.createToken(
        { name: 'root', scope: 'admin', environment: null, hash: 'h1', hint: 'fg_admin_ab…' },
        alice,
      )
      const server = await store.createToken(
        {
          name: 'api',
          scope: 'server',
          environment: 'production',
          hash: 'h2',
          hint: 'fg_server_cd…',
        },
        alice,
      )
      expect(admin.id).toMatch(/^tok_/)
      expect(await store.findTokenByHash('h2')).toEqual({ ...server, hash: 'h2' })
      expect(await store.findTokenByHash('nope')).toBeUndefined()
      expect((await store.listTokens()).map((t) => t.name).sort()).toEqual(['api', 'root'])
      await expectStoreError(store.revokeToken(admin.id, alice), 'conflict')
      const revoked = await store.revokeToken(server.id, alice)
      expect(revoked.revokedAt).not.toBeNull()
      expect(await store.revokeToken(server.id, alice)).toEqual(revoked)
      expect((await store.findTokenByHash('h2'))?.revokedAt).toBe(revoked.revokedAt)
      await expectStoreError(store.revokeToken('tok_missing', alice), 'not_found')
      await expectStoreError(
        store.createToken(
          { name: 'x', scope: 'client', environment: 'nowhere', hash: 'h3', hint: 'x' },
          alice,
        ),
        'not_found',
      )
      expect(events.flatMap((e) => e.audit.map((a) => a.action))).toEqual([
        'token.create',
        'token.create',
        'token.revoke',
      ])
      expect(await versions(store)).toEqual({ development: 0, staging: 0, production: 0 })
    })

    it('should aggregate signals per bucket and drop a repeated batch', async () => {
      const latency = {
        count: 2,
        sumMs: 30,
        maxMs: 20,
        buckets: LATENCY_BUCKETS_MS.map((_, i) => (i === 1 || i === 2 ? 1 : 0)).concat(0),
      }
      const batch = (id: string, maxMs: number): SignalsBatch => ({
        id,
        sdk: { name: 'test', version: '1', instanceId: 'i1' },
        window: { start: 0, end: 1 },
        flags: {
          a: {
            on: {
              exposures: 10,
              successes: 8,
              errors: 2,
              errorUnits: 1,
              latencyMs: { ...latency, maxMs },
            },
            off: { exposures: 5, successes: 5, errors: 0, errorUnits: 0 },
          },
        },
      })
      const bucketStart = '2030-01-01T00:00:00.000Z'
      const input = (id: string, maxMs = 20) => ({
        environment: 'production',
        batch: batch(id, maxMs),
        bucketStart,
        receivedAt: '2030-01-01T00:00:30.000Z',
      })
      expect(await store.recordSignals(input('batch-0001'))).toEqual({ duplicate: false })
      expect(await store.recordSignals(input('batch-0002', 50))).toEqual({ duplicate: false })
      expect(await store.recordSignals(input('batch-0001', 90))).toEqual({ duplicate: true })
      const buckets = await store.querySignals({ environment: 'production', flagKey: 'a' })
      expect(buckets).toHaveLength(2)
      expect(buckets.find((b) => b.variant === 'on')).toEqual({
        environment: 'production',
        flagKey: 'a',
        variant: 'on',
        bucketStart,
        exposures: 20,
        successes: 16,
        errors: 4,
        errorUnits: 2,
        latencyCount: 4,
        latencySumMs: 60,
        latencyMaxMs: 50,
        latencyBuckets: LATENCY_BUCKETS_MS.map((_, i) => (i === 1 || i === 2 ? 2 : 0)).concat(0),
      })
      expect(await store.querySignals({ environment: 'staging' })).toEqual([])
      expect(await store.querySignals({ environment: 'production', since: '2031-01-01' })).toEqual(
        [],
      )
      expect(await store.pruneSignalBatchIds('2030-01-01T00:00:31.000Z')).toBe(2)
      expect(await store.recordSignals(input('batch-0001'))).toEqual({ duplicate: false })
      expect(events).toEqual([])
    })

    it('should start a rollout with its configuration change, audited, and refuse a second one', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      events.length = 0
      const started = await store.createRollout(newRollout('r1', 'a'))
      expect(started).toMatchObject({
        id: 'r1',
        flag: 'a',
        environment: 'production',
        status: 'running',
        stateVersion: 1,
        monitor: { n: 0 },
        decisions: [{ action: 'start', reason: 'go', by: 'alice', stageIndex: 0 }],
      })
      const config = await store.getFlagConfig('production', 'a')
      expect(config?.config).toEqual({ ...split(100), rollout: ref('r1') })
      expect(config?.version).toBe(2)
      const [event] = events
      expect(event?.changes).toMatchObject([
        { type: 'flag', key: 'a', flag: { rollout: ref('r1') } },
      ])
      expect(event?.audit).toMatchObject([
        { action: 'rollout.start', resourceKey: 'a', reason: 'go', actor: 'alice' },
      ])
      await expectStoreError(store.createRollout(newRollout('r2', 'a')), 'conflict')
      await expectStoreError(store.createRollout(newRollout('r3', 'missing')), 'not_found')
      expect(await store.getRollout('r2')).toBeUndefined()
      expect(await store.getRollout('r3')).toBeUndefined()
      expect((await store.listActiveRollouts()).map((r) => r.id)).toEqual(['r1'])
    })

    it('should move a rollout only from the state version it read', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await store.createRollout(newRollout('r1', 'a'))
      const promote = (expectedStateVersion: number): RolloutTransition => ({
        action: 'rollout.promote',
        actor: { name: 'controller', tokenId: null },
        expectedStateVersion,
        next: {
          status: 'running',
          stageIndex: 1,
          percent: 50,
          stageStartedAt: '2030-01-01T00:10:00.000Z',
          monitor: { n: 1 },
        },
        decision: {
          at: '2030-01-01T00:10:00.000Z',
          action: 'promote',
          reason: 'healthy',
          stageIndex: 0,
          evidence: { m: 1.5 },
        },
        config: (current) => ({
          ...current.config,
          ...split(5000),
          rollout: { ...ref('r1'), stage: 1 },
        }),
      })
      const moved = await store.transitionRollout('r1', promote(1))
      expect(moved).toMatchObject({
        stageIndex: 1,
        percent: 50,
        stateVersion: 2,
        monitor: { n: 1 },
      })
      expect(moved.decisions.map((d) => [d.action, d.by, d.evidence])).toEqual([
        ['start', 'alice', undefined],
        ['promote', 'controller', { m: 1.5 }],
      ])
      const before = await versions(store)
      await expectStoreError(store.transitionRollout('r1', promote(1)), 'stale_version')
      await expectStoreError(store.transitionRollout('nope', promote(1)), 'not_found')
      expect(await versions(store)).toEqual(before)
      expect((await store.getRollout('r1'))?.decisions).toHaveLength(2)

      const ended = await store.transitionRollout('r1', {
        action: 'rollout.pause',
        actor: alice,
        expectedStateVersion: 2,
        next: { ...moved, status: 'aborted', endedAt: '2030-01-01T00:11:00.000Z' },
        decision: {
          at: '2030-01-01T00:11:00.000Z',
          action: 'abort',
          reason: 'enough',
          stageIndex: 1,
        },
      })
      expect(ended).toMatchObject({
        status: 'aborted',
        endedAt: '2030-01-01T00:11:00.000Z',
        stateVersion: 3,
      })
      expect(await versions(store)).toEqual(before)
      const audit = await store.queryAudit({ flag: 'a', action: 'rollout.pause', limit: 10 })
      expect(audit.entries[0]).toMatchObject({
        before: { status: 'running', stageIndex: 1 },
        after: { status: 'aborted' },
      })
      expect(await store.listActiveRollouts()).toEqual([])
      await store.createRollout(newRollout('r2', 'a', '2030-01-02T00:00:00.000Z'))
      expect((await store.listRollouts('production', 'a')).map((r) => r.id)).toEqual(['r2', 'r1'])
      expect(await store.listRollouts('staging', 'a')).toEqual([])
      const recent = await store.listEnvironmentRollouts('production', '2030-01-01T00:10:30.000Z')
      expect(recent.map((r) => [r.id, r.status, r.decisions.length])).toEqual([
        ['r1', 'aborted', 3],
        ['r2', 'running', 1],
      ])
      expect(
        (await store.listEnvironmentRollouts('production', '2030-01-01T00:11:01.000Z')).map(
          (r) => r.id,
        ),
      ).toEqual(['r2'])
      expect(await store.listEnvironmentRollouts('staging', '2000-01-01T00:00:00.000Z')).toEqual([])
    })

    it('should fold signals per stage and variant, once per batch, counting a unit once per stage', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await store.createRollout(newRollout('r1', 'a'))
      const signals = (errorUnits: number): RolloutVariantSignals => ({
        batches: 1,
        exposures: 10,
        successes: 8,
        errors: 2,
        errorUnits,
        latencyCount: 1,
        latencySumMs: 7,
        latencyMaxMs: 7,
        latencyBuckets: LATENCY_BUCKETS_MS.map((_, i) => (i === 1 ? 1 : 0)).concat(0),
      })
      const seen: Record<string, number>[] = []
      const observe = (
        expectedStateVersion: number,
        batchId: string,
        stageIndex: number,
        hashes: number[],
      ) =>
        store.observeRollout('r1', {
          expectedStateVersion,
          batchId,
          stageIndex,
          errorUnitHashes: { on: hashes },
          apply: (first) => {
            seen.push(first)
            return { monitor: { n: expectedStateVersion }, signals: { on: signals(first.on ?? 0) } }
          },
        })
      expect(await observe(1, 'batch-0001', 0, [1, 2, 4_000_000_000])).toMatchObject({
        duplicate: false,
        rollout: { stateVersion: 2, monitor: { n: 1 } },
      })
      expect((await observe(2, 'batch-0002', 0, [2, 3, 3])).rollout.stateVersion).toBe(3)
      expect((await observe(3, 'batch-0002', 0, [9])).duplicate).toBe(true)
      await expectStoreError(observe(1, 'batch-0003', 0, [9]), 'stale_version')
      expect((await observe(3, 'batch-0004', 1, [1])).rollout.stateVersion).toBe(4)
      expect(seen).toEqual([{ on: 3 }, { on: 1 }, { on: 1 }])
      const stages = await store.rolloutSignals('r1')
      expect(stages.map((s) => s.stageIndex)).toEqual([0, 1])
      expect(stages[0]?.variants.on).toEqual({
        ...signals(4),
        batches: 2,
        exposures: 20,
        successes: 16,
        errors: 4,
        latencyCount: 2,
        latencySumMs: 14,
        latencyBuckets: LATENCY_BUCKETS_MS.map((_, i) => (i === 1 ? 2 : 0)).concat(0),
      })
      expect(stages[1]?.variants.on?.errorUnits).toBe(1)
      expect((await store.getRollout('r1'))?.monitor).toEqual({ n: 3 })
      expect(events.filter((e) => e.audit.some((a) => a.actor === 'signals'))).toEqual([])
    })

    it('should record many batches in one call, counting each batch id once', async () => {
      const bucketStart = '2030-01-01T00:01:00.000Z'
      const input = (id: string | undefined, exposures: number, environment = 'production') => ({
        environment,
        bucketStart,
        receivedAt: '2030-01-01T00:01:30.000Z',
        batch: {
          ...(id === undefined ? {} : { id }),
          sdk: { name: 'test', version: '1', instanceId: 'i1' },
          window: { start: 0, end: 1 },
          flags: { a: { on: { exposures, successes: exposures, errors: 0, errorUnits: 0 } } },
        },
      })
      expect(await store.recordSignalBatches([input('b-1', 1)])).toEqual({
        recorded: 1,
        duplicates: 0,
      })
      expect(
        await store.recordSignalBatches([
          input('b-1', 10),
          input('b-2', 100),
          input('b-2', 1000),
          input(undefined, 10_000),
          input(undefined, 100_000),
          input('b-1', 7, 'staging'),
        ]),
      ).toEqual({ recorded: 4, duplicates: 2 })
      const exposures = async (environment: string) =>
        (await store.querySignals({ environment })).map((b) => [b.variant, b.exposures])
      expect(await exposures('production')).toEqual([['on', 110_101]])
      expect(await exposures('staging')).toEqual([['on', 7]])
      expect(await store.recordSignalBatches([])).toEqual({ recorded: 0, duplicates: 0 })
      expect(events).toEqual([])
    })

    it('should tell listeners every commit in order with consecutive versions', async () => {
      await store.createFlag(booleanFlag('a'), alice)
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.updateFlagConfig('production', 'a', {
            action: 'config.rollout',
            actor: alice,
            apply: () => split((i + 1) * 100),
          }),
        ),
      )
      const production = events.flatMap((e) =>
        e.changes.filter((c) => c.environment === 'production').map((c) => c.version),
      )
      expect(production).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
      expect((await store.getFlagConfig('production', 'a'))?.version).toBe(21)
    })

    it('should create, update and delete webhook endpoints, auditing them without the secret', async () => {
      const created = await store.createWebhookEndpoint(
        {
          url: 'https://hooks.example.com/floodgate',
          description: 'ops',
          events: ['rollout.reverted'],
          environments: ['production'],
          secret: `whsec_${'a'.repeat(43)}`,
          enabled: true,
        },
        alice,
      )
      expect(created).toMatchObject({
        id: expect.stringMatching(/^wh_[0-9a-f]{24}$/),
        url: 'https://hooks.example.com/floodgate',
        events: ['rollout.reverted'],
        environments: ['production'],
        enabled: true,
        secret: `whsec_${'a'.repeat(43)}`,
        secretHint: 'whsec_aaaa…',
        createdBy: 'alice',
      })
      expect(await store.getWebhookEndpoint(created.id)).toEqual(created)
      const updated = await store.updateWebhookEndpoint(
        created.id,
        { enabled: false, events: [], secret: `whsec_${'b'.repeat(43)}` },
        alice,
      )
      expect(updated).toMatchObject({ enabled: false, events: [], secretHint: 'whsec_bbbb…' })
      expect(await store.listWebhookEndpoints()).toEqual([updated])
      expect(await store.updateWebhookEndpoint(created.id, { enabled: false }, alice)).toEqual(
        updated,
      )
      await expectStoreError(store.updateWebhookEndpoint('wh_missing', {}, alice), 'not_found')
      await store.deleteWebhookEndpoint(created.id, alice)
      await expectStoreError(store.deleteWebhookEndpoint(created.id, alice), 'not_found')
      expect(await store.listWebhookEndpoints()).toEqual([])
      const audit = events.flatMap((e) => e.audit)
      expect(audit.map((a) => a.action)).toEqual([
        'webhook.create',
        'webhook.update',
        'webhook.delete',
      ])
      expect(audit[1]).toMatchObject({ resourceType: 'webhook', reason: 'secret rotated' })
      expect(JSON.stringify(audit)).not.toContain('a'.repeat(43))
      expect(JSON.stringify(audit)).not.toContain('b'.repeat(43))
    })

    it('should queue webhook deliveries once, claim each for one dispatcher and log attempts', async () => {
      const endpoint = (url: string) =>
        store.createWebhookEndpoint(
          {
            url,
            description: '',
            events: [],
            environments: [],
            secret: `whsec_${'c'.repeat(43)}`,
            enabled: true,
          },
          alice,
        )
      const a = await endpoint('http://127.0.0.1:1/a')
      const b = await endpoint('http://127.0.0.1:1/b')
      const t0 = '2030-01-01T00:00:00.000Z'
      const input = {
        eventId: 'evt_1',
        eventType: 'rollout.started' as const,
        environment: 'production',
        payload: '{"id":"evt_1"}',
        endpointIds: [a.id, b.id],
        now: t0,
      }
      const queued = await store.enqueueWebhookDeliveries(input)
      expect(queued).toHaveLength(2)
      expect(queued[0]).toMatchObject({
        id: expect.stringMatching(/^whd_[0-9a-f]{24}$/),
        eventId: 'evt_1',
        state: 'pending',
        attempts: 0,
        nextAttemptAt: t0,
        log: [],
      })
      expect(await store.enqueueWebhookDeliveries(input)).toEqual([])

      const claim = (owner: string, now: string, extra = {}) =>
        store.claimWebhookDeliveries({
          owner,
          now,
          leaseUntil: new Date(Date.parse(now) + 30_000).toISOString(),
          limit: 10,
          ...extra,
        })
      expect(await claim('early', '2029-12-31T23:59:59.000Z')).toEqual([])
      const [first, second] = await Promise.all([claim('one', t0), claim('two', t0)])
      const taken = [...(first ?? []), ...(second ?? [])]
      expect(taken.map((c) => c.delivery.endpointId).sort()).toEqual([a.id, b.id].sort())
      expect(taken.find((c) => c.delivery.endpointId === a.id)).toMatchObject({
        url: 'http://127.0.0.1:1/a',
        payload: '{"id":"evt_1"}',
        secret: `whsec_${'c'.repeat(43)}`,
      })
      expect(await claim('three', '2030-01-01T00:00:10.000Z')).toEqual([])

      const toA = queued.find((d) => d.endpointId === a.id)?.id ?? ''
      const ownerOfA = (first ?? []).some((c) => c.delivery.id === toA) ? 'one' : 'two'
      const attempt = {
        attempt: 1,
        at: '2030-01-01T00:00:01.000Z',
        statusCode: 500,
        error: 'HTTP 500',
        durationMs: 12,
      }
      const retry = {
        deliveryId: toA,
        attempt,
        state: 'pending' as const,
        nextAttemptAt: '2030-01-01T00:00:11.000Z',
      }
      expect(await store.recordWebhookAttempt({ ...retry, owner: 'intruder' })).toBe(false)
      expect(await store.recordWebhookAttempt({ ...retry, owner: ownerOfA })).toBe(true)
      expect(await store.recordWebhookAttempt({ ...retry, owner: ownerOfA })).toBe(false)
      expect(await claim('four', '2030-01-01T00:00:10.000Z', { deliveryId: toA })).toEqual([])

      // An expired claim (a dispatcher that died) is taken over.
      const late = await claim('five', '2030-01-01T00:00:40.000Z')
      expect(late.map((c) => c.delivery.id).sort()).toEqual(queued.map((d) => d.id).sort())
      expect(late.find((c) => c.delivery.id === toA)?.delivery).toMatchObject({
        attempts: 1,
        log: [attempt],
      })
      expect(
        await store.recordWebhookAttempt({
          deliveryId: toA,
          owner: 'five',
          attempt: { ...attempt, attempt: 2, statusCode: 204, error: null },
          state: 'succeeded',
          nextAttemptAt: null,
        }),
      ).toBe(true)
      const delivered = await store.getWebhookDelivery(toA)
      expect(delivered).toMatchObject({ state: 'succeeded', attempts: 2, nextAttemptAt: null })
      expect(delivered?.log.map((l) => l.statusCode)).toEqual([500, 204])
      expect(await store.listWebhookDeliveries({ endpointId: a.id, limit: 10 })).toEqual([
        delivered,
      ])
      expect(
        await store.listWebhookDeliveries({ endpointId: a.id, state: 'failed', limit: 10 }),
      ).toEqual([])
      expect(await store.pruneWebhookDeliveries('2030-01-01T00:00:01.000Z')).toBe(0)
      const afterDelivered = new Date(Date.parse(delivered?.updatedAt ?? '') + 1).toISOString()
      expect(await store.pruneWebhookDeliveries(afterDelivered)).toBe(1)
      expect(await store.getWebhookDelivery(toA)).toBeUndefined()
      expect(await store.listWebhookDeliveries({ endpointId: b.id, limit: 10 })).toHaveLength(1)
      await store.deleteWebhookEndpoint(a.id, alice)
      expect(await store.listWebhookDeliveries({ endpointId: b.id, limit: 10 })).toHaveLength(1)
      for (const eventId of ['evt_2', 'evt_3', 'evt_4']) {
        await store.enqueueWebhookDeliveries({ ...input, eventId, endpointIds: [b.id], now: t0 })
      }
      const later = '2030-01-01T01:00:00.000Z'
      const firstTwo = await claim('six', later, { limit: 2 })
      expect(firstTwo.map((c) => c.delivery.eventId)).toHaveLength(2)
      const rest = await claim('seven', later, { limit: 2 })
      expect([...firstTwo, ...rest].map((c) => c.delivery.eventId).sort()).toEqual([
        'evt_1',
        'evt_2',
        'evt_3',
        'evt_4',
      ])
    })
  })
}
