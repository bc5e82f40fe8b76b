import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SignalsBatch } from '@floodgate/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startServer } from '../app'
import { openSse } from '../testUtils/sseClient'
import { createTestServer, type TestServer } from '../testUtils/testServer'
import type { RolloutEvent } from './rolloutController'

const ADMIN = `fg_admin_${'r'.repeat(43)}`
const START = Date.parse('2030-01-01T00:00:00.000Z')
const FLAG = (action = '') => `/v1/admin/environments/production/flags/checkout${action}`
const PLAN = {
  treatment: 'on',
  control: 'off',
  stages: [
    { percent: 10, minDurationSec: 60, maxDurationSec: 600 },
    { percent: 50, minDurationSec: 60 },
    { percent: 100 },
  ],
  guard: { minEvidence: 5 },
}

interface Arm {
  exposures: number
  /** Units with an error; each gets a fresh unit hash unless given. */
  errorUnits: number | number[]
}

describe('RolloutController', () => {
  let clock: number
  let s: TestServer
  let sdk: string
  let events: RolloutEvent[]
  let nextUnit: number
  let nextBatch: number
  const dirs: string[] = []

  const boot = async (db = ':memory:') => {
    const server = await createTestServer({
      db,
      adminToken: ADMIN,
      rollouts: { now: () => clock, tickMs: 0 },
    })
    server.rollouts.subscribe((event) => events.push(event))
    return server
  }

  beforeEach(async () => {
    clock = START
    events = []
    nextUnit = 1
    nextBatch = 1
    s = await boot()
    sdk = await s.token('server', 'production')
    expect(
      (await s.call(s.admin, 'POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' }))
        .statusCode,
    ).toBe(201)
  })
  afterEach(async () => {
    await s.close()
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  const start = async (plan: Record<string, unknown> = PLAN) => {
    const res = await s.call(s.admin, 'POST', FLAG('/rollouts'), plan)
    expect(res.statusCode).toBe(201)
    // Batches are counted in a stage when their window ends after it started.
    clock += 1000
    return res.json()
  }
  const action = (name: string, body?: unknown) =>
    s.call(s.admin, 'POST', FLAG(`/rollouts/current/${name}`), body)
  const current = async () => (await s.call(s.admin, 'GET', FLAG('/rollouts/current'))).json()
  const snapshotFlag = async () =>
    (await s.call(sdk, 'GET', '/v1/sdk/snapshot')).json().flags.checkout
  const variant = (arm: Arm) => {
    const hashes =
      typeof arm.errorUnits === 'number'
        ? Array.from({ length: arm.errorUnits }, () => nextUnit++)
        : arm.errorUnits
    return {
      exposures: arm.exposures,
      successes: arm.exposures - hashes.length,
      errors: hashes.length,
      errorUnits: hashes.length,
      errorUnitHashes: hashes,
      errorUnitHashesDropped: 0,
    }
  }
  const batch = (treatment: Arm, control: Arm, extra: Partial<SignalsBatch> = {}) => ({
    id: `batch-${String(nextBatch++).padStart(6, '0')}`,
    sdk: { name: 'test', version: '1.0.0', instanceId: 'i-1' },
    window: { start: clock - 1000, end: clock },
    flags: { checkout: { on: variant(treatment), off: variant(control) } },
    ...extra,
  })
  const send = async (body: unknown) => {
    const res = await s.call(sdk, 'POST', '/v1/sdk/signals', body)
    expect(res.statusCode).toBe(202)
    await s.rollouts.settled()
  }
  /** Healthy traffic at the stage's share: the same error-unit rate in both arms. */
  const healthy = (percent: number) =>
    batch(
      { exposures: percent * 10, errorUnits: percent / 5 },
      { exposures: (100 - percent) * 10, errorUnits: (100 - percent) / 5 },
    )
  const tick = async (seconds: number) => {
    clock += seconds * 1000
    await s.rollouts.tick()
  }

  it('should start a rollout: the treatment-first split and the rollout reference, pushed and audited', async () => {
    const state = await start({ ...PLAN, localGuard: { minErrors: 5, maxErrorRate: 0.5 } })
    expect(state).toMatchObject({
      flag: 'checkout',
      environment: 'production',
      status: 'running',
      stageIndex: 0,
      percent: 10,
      startedAt: '2030-01-01T00:00:00.000Z',
      stageStartedAt: '2030-01-01T00:00:00.000Z',
      stateVersion: 1,
      plan: { guard: { tolerance: 0.1, alpha: 0.01, minEvidence: 5 }, onFailure: 'revert' },
      decisions: [{ action: 'start', by: 'admin', stageIndex: 0 }],
    })
    expect(await snapshotFlag()).toMatchObject({
      enabled: true,
      fallthrough: {
        split: [
          { variant: 'on', weight: 1000 },
          { variant: 'off', weight: 9000 },
        ],
      },
      rollout: {
        id: state.id,
        stage: 0,
        treatment: 'on',
        control: 'off',
        localGuard: { minErrors: 5, maxErrorRate: 0.5 },
      },
    })
    expect(events).toEqual([
      {
        type: 'rollout.started',
        environment: 'production',
        flag: 'checkout',
        rolloutId: state.id,
        stageIndex: 0,
        percent: 10,
        at: '2030-01-01T00:00:00.000Z',
        reason: expect.stringContaining('started'),
      },
    ])
    const audit = await s.call(s.admin, 'GET', '/v1/admin/audit?flag=checkout&env=production')
    expect(audit.json().entries[0]).toMatchObject({ action: 'rollout.start', actor: 'admin' })

    const again = await s.call(s.admin, 'POST', FLAG('/rollouts'), PLAN)
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('rollout_active')
  })

  it('should refuse a bad plan with paths and change nothing', async () => {
    const before = (await s.call(s.admin, 'GET', '/v1/admin/environments')).json()
    const bad = await s.call(s.admin, 'POST', FLAG('/rollouts'), {
      treatment: 'on',
      control: 'on',
      stages: [{ percent: 50 }, { percent: 20 }],
      guard: { alpha: 2 },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toContain('application/problem+json')
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['/control', '/guard/alpha', '/stages/1/percent'])
    const unknown = await s.call(s.admin, 'POST', FLAG('/rollouts'), {
      treatment: 'blue',
      control: 'off',
    })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().errors).toEqual([
      { path: '/treatment', message: 'unknown variant "blue"' },
    ])
    const missing = await s.call(
      s.admin,
      'POST',
      '/v1/admin/environments/production/flags/nope/rollouts',
      PLAN,
    )
    expect(missing.statusCode).toBe(404)
    expect((await s.call(s.admin, 'GET', FLAG('/rollouts/current'))).statusCode).toBe(404)
    expect((await s.call(s.admin, 'GET', '/v1/admin/environments')).json()).toEqual(before)
    expect(events).toEqual([])
  })

  it('should climb the stages of a healthy canary and complete at 100 %', async () => {
    await start()
    await send(healthy(10))
    await tick(30)
    expect((await current()).stageIndex).toBe(0)
    await send(healthy(10))
    await send(healthy(10))
    await tick(31)
    expect(await current()).toMatchObject({ status: 'running', stageIndex: 1, percent: 50 })
    expect((await snapshotFlag()).rollout.stage).toBe(1)
    expect((await snapshotFlag()).fallthrough.split[0]).toEqual({ variant: 'on', weight: 5000 })
    clock += 1000
    await send(healthy(50))
    await tick(60)
    expect(await current()).toMatchObject({ stageIndex: 2, percent: 100 })
    await tick(1)
    const done = await current()
    expect(done).toMatchObject({ status: 'completed', percent: 100, endedAt: expect.any(String) })
    const flag = await snapshotFlag()
    expect(flag.rollout).toBeUndefined()
    expect(flag.fallthrough.split[0]).toEqual({ variant: 'on', weight: 10000 })
    expect(events.map((e) => [e.type, e.stageIndex, e.percent])).toEqual([
      ['rollout.started', 0, 10],
      ['rollout.promoted', 1, 50],
      ['rollout.promoted', 2, 100],
      ['rollout.completed', 2, 100],
    ])
    const promoted = events[1]
    expect(promoted?.evidence).toMatchObject({
      stageIndex: 0,
      treatment: { exposures: 300, badEvents: 6 },
      control: { exposures: 2700, badEvents: 54 },
      expectedBadEvents: 6,
      errorTest: { alarm: false, threshold: 100 },
    })
    expect(done.decisions.map((d: { action: string }) => d.action)).toEqual([
      'start',
      'promote',
      'promote',
      'complete',
    ])
    const history = (await s.call(s.admin, 'GET', FLAG('/rollouts'))).json()
    expect(history.rollouts.map((r: { id: string }) => r.id)).toEqual([done.id])
  })

  it('should revert a failing canary on the batch that makes the test fire, without a tick', async () => {
    await start()
    await send(batch({ exposures: 100, errorUnits: 2 }, { exposures: 900, errorUnits: 18 }))
    expect((await current()).status).toBe('running')
    await send(batch({ exposures: 100, errorUnits: 30 }, { exposures: 900, errorUnits: 9 }))
    const state = await current()
    expect(state).toMatchObject({ status: 'reverted', percent: 0, stageIndex: 0 })
    const flag = await snapshotFlag()
    expect(flag.rollout).toBeUndefined()
    expect(flag.killed).toBe(false)
    expect(flag.fallthrough.split).toEqual([
      { variant: 'on', weight: 0 },
      { variant: 'off', weight: 10000 },
    ])
    const reverted = events.at(-1)
    expect(reverted).toMatchObject({ type: 'rollout.reverted', percent: 0 })
    expect(reverted?.reason).toMatch(/error rate is above control's/)
    expect(reverted?.evidence).toMatchObject({ errorTest: { alarm: true } })
    expect(state.decisions.at(-1)).toMatchObject({ action: 'revert', by: 'rollout-controller' })
    // An ended rollout has nothing left to assess: its last decision holds the evidence.
    expect((await s.call(s.admin, 'GET', FLAG('/health'))).json().assessment).toBeNull()
  })

  it('should kill the flag when the plan says so', async () => {
    await start({ ...PLAN, onFailure: 'kill' })
    await send(batch({ exposures: 100, errorUnits: 50 }, { exposures: 900, errorUnits: 9 }))
    expect(await current()).toMatchObject({ status: 'reverted', percent: 0 })
    expect(await snapshotFlag()).toMatchObject({ killed: true })
    expect((await current()).decisions.at(-1).action).toBe('kill')
  })

  it('should count a unit once per stage and a batch once', async () => {
    await start()
    const first = batch({ exposures: 100, errorUnits: [7, 8] }, { exposures: 900, errorUnits: [9] })
    await send(first)
    await send(first)
    await send(
      batch({ exposures: 100, errorUnits: [7, 8, 10] }, { exposures: 900, errorUnits: [9] }),
    )
    const health = (await s.call(s.admin, 'GET', FLAG('/health'))).json()
    expect(health).toMatchObject({
      rollout: { status: 'running', stageIndex: 0, percent: 10 },
      stages: [
        {
          stageIndex: 0,
          percent: 10,
          variants: {
            on: { batches: 2, exposures: 200, errors: 5, errorUnits: 3, errorRate: 0.025 },
            off: { batches: 2, exposures: 1800, errors: 2, errorUnits: 1 },
          },
        },
      ],
    })
    // What the controller would decide now, with the test statistic against its threshold.
    expect(health.assessment).toMatchObject({
      action: 'continue',
      evidence: {
        stageIndex: 0,
        treatment: { exposures: 200, badEvents: 3 },
        control: { exposures: 1800, badEvents: 1 },
        errorTest: { threshold: 100, alarm: false },
      },
    })
    expect(health.assessment.reason).toMatch(/has run 1 s of its minimum 60 s/)
  })

  it("should answer a flag's signals over time, per bucket and variant", async () => {
    await start()
    await send(batch({ exposures: 100, errorUnits: 2 }, { exposures: 900, errorUnits: 9 }))
    clock += 60_000
    await send(batch({ exposures: 50, errorUnits: 1 }, { exposures: 450, errorUnits: 0 }))
    await s.signals.flush()
    const since = new Date(START).toISOString()
    const until = new Date(clock + 60_000).toISOString()
    const res = await s.call(s.admin, 'GET', FLAG(`/signals?since=${since}&until=${until}`))
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({ environment: 'production', flag: 'checkout', bucketMs: 60_000 })
    expect(
      body.buckets.map((b: Record<string, unknown>) => [
        b.bucketStart,
        b.variant,
        b.exposures,
        b.errors,
      ]),
    ).toEqual([
      ['2030-01-01T00:00:00.000Z', 'off', 900, 9],
      ['2030-01-01T00:00:00.000Z', 'on', 100, 2],
      ['2030-01-01T00:01:00.000Z', 'off', 450, 0],
      ['2030-01-01T00:01:00.000Z', 'on', 50, 1],
    ])
    // A range that starts inside a bucket still gets that bucket.
    const inside = new Date(START + 61_000).toISOString()
    const later = await s.call(s.admin, 'GET', FLAG(`/signals?since=${inside}&until=${until}`))
    expect(later.json().buckets).toHaveLength(2)

    const backwards = await s.call(s.admin, 'GET', FLAG(`/signals?since=${until}&until=${since}`))
    expect(backwards.statusCode).toBe(400)
    expect(backwards.json().errors).toEqual([
      { path: '/since', message: 'must not be after until' },
    ])
    // A long range answers its most recent 2000 buckets.
    const wide = await s.call(
      s.admin,
      'GET',
      FLAG(`/signals?since=2020-01-01T00:00:00Z&until=${until}`),
    )
    expect(wide.statusCode).toBe(200)
    expect(wide.json().since).toBe(new Date(clock + 60_000 - 2000 * 60_000).toISOString())
    expect(wide.json().buckets).toHaveLength(4)
    const malformed = await s.call(s.admin, 'GET', FLAG('/signals?since=yesterday'))
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().errors[0].path).toBe('/since')
    const unknown = await s.call(
      s.admin,
      'GET',
      '/v1/admin/environments/production/flags/nope/signals',
    )
    expect(unknown.statusCode).toBe(404)
  })

  it('should hold once at the maximum duration when evidence is short, then promote when it comes', async () => {
    await start()
    await send(batch({ exposures: 100, errorUnits: 0 }, { exposures: 900, errorUnits: 1 }))
    await tick(60)
    expect((await current()).status).toBe('running')
    await tick(540)
    await tick(10)
    const held = await current()
    expect(held.decisions.map((d: { action: string }) => d.action)).toEqual(['start', 'hold'])
    expect(held.decisions[1].reason).toMatch(/maximum of 600 s/)
    expect(held.decisions[1].evidence).toMatchObject({ expectedBadEvents: expect.any(Number) })
    expect(held.stageIndex).toBe(0)
    for (let i = 0; i < 3; i++) await send(healthy(10))
    await tick(1)
    expect((await current()).stageIndex).toBe(1)
  })

  it('should pause on a sample ratio mismatch with a clear reason', async () => {
    await start()
    clock += 61_000
    for (let i = 0; i < 4; i++) {
      await send(batch({ exposures: 1500, errorUnits: 0 }, { exposures: 1500, errorUnits: 0 }))
    }
    const state = await current()
    expect(state.status).toBe('paused')
    expect(state.decisions.at(-1).reason).toMatch(/sample ratio mismatch: treatment got 50 %/)
    expect(events.at(-1)).toMatchObject({ type: 'rollout.paused', percent: 10 })
    expect((await snapshotFlag()).rollout).toBeDefined()
  })

  it('should pause, resume, promote and abort by hand, refusing what the state does not allow', async () => {
    expect((await action('pause')).statusCode).toBe(404)
    await start()
    expect((await action('resume')).statusCode).toBe(409)
    const paused = await action('pause', { reason: 'looking at a dashboard' })
    expect(paused.json()).toMatchObject({ status: 'paused', stateVersion: 2 })
    expect(paused.json().decisions.at(-1)).toMatchObject({
      action: 'pause',
      reason: 'looking at a dashboard',
      by: 'admin',
    })
    expect((await action('pause')).json().code).toBe('invalid_transition')
    await tick(3600)
    expect((await current()).status).toBe('paused')
    clock += 1000
    const resumed = (await action('resume')).json()
    expect(resumed).toMatchObject({ status: 'running', stageStartedAt: '2030-01-01T01:00:02.000Z' })
    const promoted = (await action('promote')).json()
    expect(promoted).toMatchObject({ status: 'running', stageIndex: 1, percent: 50 })
    expect((await snapshotFlag()).fallthrough.split[0].weight).toBe(5000)
    const aborted = (await action('abort')).json()
    expect(aborted).toMatchObject({ status: 'aborted', percent: 0 })
    expect((await snapshotFlag()).rollout).toBeUndefined()
    expect((await snapshotFlag()).fallthrough.split[0].weight).toBe(0)
    expect((await action('resume')).json().code).toBe('rollout_not_active')
    expect((await action('jump')).statusCode).toBe(400)
    expect((await action('pause', { reason: 7 })).json().errors[0].path).toBe('/reason')
    expect(events.map((e) => e.type)).toEqual([
      'rollout.started',
      'rollout.paused',
      'rollout.resumed',
      'rollout.promoted',
      'rollout.aborted',
    ])
    const audit = await s.call(s.admin, 'GET', '/v1/admin/audit?flag=checkout&env=production')
    expect(audit.json().entries.map((e: { action: string }) => e.action)).toEqual([
      'rollout.abort',
      'rollout.promote',
      'rollout.resume',
      'rollout.pause',
      'rollout.start',
      'flag.create',
    ])
  })

  it('should pause when the split is changed by hand, and end when the flag is killed', async () => {
    await start()
    const manual = await s.call(s.admin, 'POST', FLAG('/rollout'), { percent: 30 })
    expect(manual.statusCode).toBe(200)
    await s.rollouts.settled()
    const paused = await current()
    expect(paused.status).toBe('paused')
    expect(paused.decisions.at(-1).reason).toMatch(/admin changed its configuration by hand/)
    expect((await snapshotFlag()).rollout).toBeDefined()
    expect((await snapshotFlag()).fallthrough.split[0].weight).toBe(3000)
    const put = await s.call(s.admin, 'PUT', FLAG(), {
      enabled: true,
      fallthrough: { variant: 'on' },
      rollout: { id: 'x', stage: 0, treatment: 'on', control: 'off' },
    })
    expect(put.statusCode).toBe(400)
    expect(put.json().errors).toEqual([{ path: '/rollout', message: expect.any(String) }])
    await s.call(s.admin, 'POST', FLAG('/rollouts/current/resume'))
    expect((await snapshotFlag()).fallthrough.split[0].weight).toBe(1000)
    expect((await s.call(s.admin, 'POST', FLAG('/kill'), { reason: 'fire' })).statusCode).toBe(200)
    await s.rollouts.settled()
    expect(await current()).toMatchObject({ status: 'aborted', percent: 0 })
    expect(await snapshotFlag()).toMatchObject({ killed: true })
    expect((await snapshotFlag()).rollout).toBeUndefined()
    expect(events.map((e) => e.type)).toEqual([
      'rollout.started',
      'rollout.paused',
      'rollout.resumed',
      'rollout.aborted',
    ])
  })

  it('should end the rollout when the flag is deleted', async () => {
    await start()
    expect((await s.call(s.admin, 'DELETE', '/v1/admin/flags/checkout')).statusCode).toBe(204)
    await s.rollouts.settled()
    expect(events.at(-1)).toMatchObject({ type: 'rollout.aborted', percent: 0 })
    expect(events.at(-1)?.reason).toBe('admin deleted the flag')
    const [rollout] = await s.store.listRollouts('production', 'checkout')
    expect(rollout).toMatchObject({ status: 'aborted' })
  })

  it('should send every rollout event to admin streams', async () => {
    const running = await startServer({ port: 0, db: ':memory:', logger: false, adminToken: ADMIN })
    try {
      await fetch(`${running.url}/v1/admin/flags`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'checkout', kind: 'boolean' }),
      })
      const stream = await openSse(`${running.url}/v1/admin/stream`, {
        authorization: `Bearer ${ADMIN}`,
      })
      await fetch(`${running.url}${FLAG('/rollouts')}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(PLAN),
      })
      const event = await stream.waitFor((e) => e.event === 'rollout')
      expect(JSON.parse(event.data)).toMatchObject({
        type: 'rollout.started',
        flag: 'checkout',
        environment: 'production',
        stageIndex: 0,
        percent: 10,
      })
      const change = await stream.waitFor(
        (e) => e.event === 'change' && e.data.includes('rollout.start'),
      )
      expect(JSON.parse(change.data)).toMatchObject({
        action: 'rollout.start',
        resourceKey: 'checkout',
      })
      stream.close()
    } finally {
      await running.close()
    }
  })

  it('should continue after a restart with its stage clock and evidence intact', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'floodgate-rollouts-'))
    dirs.push(dir)
    const db = join(dir, 'floodgate.db')
    await s.close()
    s = await boot(db)
    sdk = await s.token('server', 'production')
    await s.call(s.admin, 'POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' })
    const started = await start()
    for (let i = 0; i < 3; i++) await send(healthy(10))
    await tick(30)
    await s.close()

    clock += 31_000
    s = await boot(db)
    sdk = await s.token('server', 'production')
    expect(await current()).toMatchObject({
      id: started.id,
      status: 'running',
      stageIndex: 0,
      stageStartedAt: started.stageStartedAt,
    })
    await s.rollouts.tick()
    const promoted = await current()
    expect(promoted).toMatchObject({ stageIndex: 1 })
    expect(promoted.decisions.at(-1).evidence.treatment.exposures).toBe(300)
  })

  it('should operate on the stored state when another replica moved the rollout first', async () => {
    const state = await start()
    // Another replica folds a batch: the stored version moves, and no commit event says so.
    const silently = async (version: number) => {
      const stored = await s.store.getRollout(state.id)
      await s.store.observeRollout(state.id, {
        expectedStateVersion: version,
        stageIndex: 0,
        errorUnitHashes: {},
        apply: () => ({ monitor: stored?.monitor, signals: {} }),
      })
    }
    await silently(1)
    // An operation reads the stored state first, so it is not refused for
    // what this replica could not have heard of.
    expect((await action('promote')).json()).toMatchObject({ stageIndex: 1, stateVersion: 3 })

    await silently(3)
    await send(healthy(50))
    const health = (await s.call(s.admin, 'GET', FLAG('/health'))).json()
    expect(health.stages).toMatchObject([{ stageIndex: 1, variants: { on: { batches: 1 } } }])
    expect((await current()).stateVersion).toBe(5)
  })

  it('should follow a rollout another replica moved, from its commit', async () => {
    const state = await start()
    const stored = await s.store.getRollout(state.id)
    await s.store.transitionRollout(state.id, {
      action: 'rollout.pause',
      actor: { name: 'replica-2', tokenId: null },
      expectedStateVersion: 1,
      next: { ...state, status: 'paused', monitor: stored?.monitor },
      decision: { at: state.startedAt, action: 'pause', reason: 'paused elsewhere', stageIndex: 0 },
    })
    await s.rollouts.settled()
    const resumed = await action('resume')
    expect(resumed.statusCode).toBe(200)
    expect(resumed.json().decisions.map((d: { action: string }) => d.action)).toEqual([
      'start',
      'pause',
      'resume',
    ])
  })
})
