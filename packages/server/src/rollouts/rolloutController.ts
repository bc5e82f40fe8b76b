import { randomBytes } from 'node:crypto'
import {
  type FlagConfig,
  formatIssues,
  LATENCY_BUCKETS_MS,
  parseRolloutPlan,
  type RolloutDecision,
  type RolloutPlan,
  type RolloutRef,
  type RolloutState,
  type RolloutStatus,
  type SignalsBatch,
  TOTAL_WEIGHT,
  type VariantSignals,
} from '@floodgate/core'
import type { FastifyBaseLogger } from 'fastify'
import { HttpError } from '../httpError'
import type { SignalsEvent } from '../signalIngest'
import {
  type RolloutRecord,
  type RolloutTransition,
  type RolloutVariantSignals,
  type RolloutWithDecisions,
  type Store,
  StoreError,
} from '../store/store'
import type { Actor, AuditEntry, CommitEvent, RolloutAction } from '../types'
import { FirstErrors } from './firstErrors'
import {
  RolloutMonitor,
  type RolloutMonitorOptions,
  type RolloutMonitorState,
} from './rolloutMonitor'
import type { StageDecision } from './stagePolicy'

/** What a rollout event reports. */
export type RolloutEventType =
  | 'rollout.started'
  | 'rollout.promoted'
  | 'rollout.paused'
  | 'rollout.resumed'
  | 'rollout.reverted'
  | 'rollout.completed'
  | 'rollout.aborted'

/** One rollout event, as `subscribe` listeners and the admin stream (`event: rollout`) get it. */
export interface RolloutEvent {
  type: RolloutEventType
  environment: string
  flag: string
  rolloutId: string
  /** The stage the rollout is at after the event. */
  stageIndex: number
  /** The treatment's share after the event. */
  percent: number
  /** ISO time of the decision. */
  at: string
  reason: string
  /** What an automatic decision rested on (counts, statistics, thresholds). */
  evidence?: Record<string, unknown>
}

/** Options of {@link RolloutController}. */
export interface RolloutControllerOptions {
  /** The clock, epoch milliseconds. Default `Date.now`; tests inject their own. */
  now?: () => number
  /** How often running rollouts are evaluated for their stage clocks, in ms; `0` for never (call `tick()`). Default 1000. */
  tickMs?: number
  /** The monitor's options for new rollouts (what counts as a bad event, the sample-ratio check). */
  monitor?: RolloutMonitorOptions
  /**
   * Whether this replica is the one that decides (stage clocks, decisions
   * after a batch, reactions to manual changes). Every replica still folds
   * the signals it receives and serves the admin operations. Default: always.
   */
  isLeader?: () => boolean
  logger?: FastifyBaseLogger
}

/** A rollout's health: its signals per stage and variant. */
export interface RolloutHealth {
  environment: string
  flag: string
  rollout: Pick<RolloutState, 'id' | 'status' | 'stageIndex' | 'percent'> | null
  /**
   * While the rollout runs or is paused: what the controller would decide
   * now, with its evidence (the sequential test's statistic against its
   * threshold, the stage's evidence against what promotion needs). A paused
   * rollout decides nothing until it resumes. `null` once it ended: its
   * last decision holds the final evidence.
   */
  assessment: StageDecision | null
  stages: {
    stageIndex: number
    percent: number
    variants: Record<
      string,
      RolloutVariantSignals & {
        errorRate: number
        errorUnitRate: number
        meanLatencyMs: number | null
      }
    >
  }[]
}

/** The actor of the controller's own decisions. */
export const CONTROLLER_ACTOR: Actor = { name: 'rollout-controller', tokenId: null }

/** Times a batch is folded onto a rollout that other writers keep moving, before it is given up. */
const MAX_FOLD_ATTEMPTS = 5

const MANUAL_ACTIONS = new Set(['config.update', 'config.rollout', 'config.revert', 'config.kill'])

const EVENT_OF: Partial<Record<RolloutDecision['action'], RolloutEventType>> = {
  start: 'rollout.started',
  promote: 'rollout.promoted',
  pause: 'rollout.paused',
  resume: 'rollout.resumed',
  revert: 'rollout.reverted',
  kill: 'rollout.reverted',
  complete: 'rollout.completed',
  abort: 'rollout.aborted',
}

const AUDIT_OF: Record<RolloutDecision['action'], RolloutAction> = {
  start: 'rollout.start',
  promote: 'rollout.promote',
  hold: 'rollout.hold',
  pause: 'rollout.pause',
  resume: 'rollout.resume',
  revert: 'rollout.revert',
  kill: 'rollout.revert',
  complete: 'rollout.complete',
  abort: 'rollout.abort',
}

/**
 * Runs staged rollouts inside the server: starts them, folds every signals
 * batch of their flag into their stored state, decides with the rollout
 * monitor after each batch (so a failing canary reverts without waiting for
 * a stage clock) and on a timer (stage clocks), and applies each decision
 * through the flag configuration path, so it is versioned, audited and
 * pushed to SDK streams at once. Every write is conditional on the rollout's
 * state version, and work on one flag is serialized, so no decision is
 * applied twice.
 *
 * @example
 * ```ts
 * const off = server.rollouts.subscribe((event) => console.log(event.type, event.reason))
 * await server.rollouts.start('production', 'new-checkout', { treatment: 'on', control: 'off' }, actor)
 * ```
 */
export class RolloutController {
  private readonly now: () => number
  private readonly isLeader: () => boolean
  private readonly listeners = new Set<(event: RolloutEvent) => void>()
  /** Running and paused rollouts by `environment/flag`, as last written. */
  private readonly active = new Map<string, RolloutRecord>()
  private readonly queues = new Map<string, Promise<unknown>>()
  private timer: ReturnType<typeof setInterval> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly store: Store,
    private readonly options: RolloutControllerOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.isLeader = options.isLeader ?? (() => true)
  }

  /** Loads the running and paused rollouts (they resume with their stage clocks) and starts watching. */
  async load(): Promise<void> {
    for (const record of await this.store.listActiveRollouts()) {
      this.active.set(keyOf(record.environment, record.flag), record)
    }
    this.unsubscribe = this.store.subscribe((event) => this.onCommit(event))
    const tickMs = this.options.tickMs ?? 1000
    if (tickMs > 0) {
      this.timer = setInterval(() => {
        this.tick().catch((error: unknown) => this.logError(error, 'a rollout tick failed'))
      }, tickMs)
      this.timer.unref()
    }
  }

  /** Resolves once the work queued so far (batches being folded, decisions being applied) is done. */
  async settled(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()])
  }

  /** Stops the timer and waits for the work in progress. */
  async close(): Promise<void> {
    clearInterval(this.timer)
    this.unsubscribe?.()
    await Promise.allSettled([...this.queues.values()])
  }

  /**
   * Listens to rollout events; returns the function that stops listening. A
   * listener that throws is logged and the others still run.
   */
  subscribe(listener: (event: RolloutEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Starts a rollout: validates the plan (400 with paths), 409 while one is running or paused. */
  start(environment: string, flag: string, input: unknown, actor: Actor): Promise<RolloutState> {
    return this.serialized(keyOf(environment, flag), async () => {
      const parsed = parseRolloutPlan(input)
      if (!parsed.success) {
        const errors = formatIssues(parsed.error)
        throw new HttpError(
          400,
          'invalid_request',
          `invalid body: ${errors[0]?.path} ${errors[0]?.message}`,
          { errors },
        )
      }
      const plan = parsed.data
      const definition = await this.store.getFlag(flag)
      if (!definition) throw new HttpError(404, 'not_found', `flag "${flag}" does not exist`)
      const errors = (['treatment', 'control'] as const)
        .filter((side) => !Object.hasOwn(definition.variants, plan[side]))
        .map((side) => ({ path: `/${side}`, message: `unknown variant "${plan[side]}"` }))
      if (errors.length > 0) {
        throw new HttpError(
          400,
          'invalid_request',
          `invalid body: ${errors[0]?.path} ${errors[0]?.message}`,
          { errors },
        )
      }
      const config = await this.store.getFlagConfig(environment, flag)
      if (!config)
        throw new HttpError(404, 'not_found', `environment "${environment}" does not exist`)
      if (config.config.killed) {
        throw new HttpError(
          409,
          'flag_killed',
          `flag "${flag}" is killed in ${environment}: unkill it before starting a rollout`,
        )
      }
      const now = this.now()
      const at = new Date(now).toISOString()
      const id = `ro_${randomBytes(8).toString('hex')}`
      const first = plan.stages[0]
      const percent = first?.percent ?? 0
      const record: Omit<RolloutRecord, 'stateVersion'> = {
        id,
        environment,
        flag,
        status: 'running',
        stageIndex: 0,
        percent,
        plan,
        startedAt: at,
        stageStartedAt: at,
        monitor: RolloutMonitor.start(plan, now, this.options.monitor),
        createdBy: actor.name,
      }
      const reason = `${actor.name} started a rollout of "${plan.treatment}" over "${plan.control}" at ${percent} %`
      const decision: RolloutDecision = {
        at,
        action: 'start',
        reason,
        by: actor.name,
        stageIndex: 0,
      }
      const stored = await this.store
        .createRollout({
          record,
          actor,
          decision,
          config: (current) => stageConfig(current.config, plan, percent, refOf(record)),
        })
        .catch((error: unknown) => {
          if (error instanceof StoreError && error.code === 'conflict') {
            throw new HttpError(409, 'rollout_active', error.message)
          }
          throw error
        })
      this.active.set(keyOf(environment, flag), stored)
      this.emit(stored, decision)
      return toState(stored)
    })
  }

  /** The running or paused rollout of a flag, else its latest one; `undefined` if it never had one. */
  async current(environment: string, flag: string): Promise<RolloutState | undefined> {
    const [latest] = await this.store.listRollouts(environment, flag, 1)
    return latest && toState(latest)
  }

  /** A flag's rollouts in an environment, newest first. */
  async history(environment: string, flag: string, limit = 100): Promise<RolloutState[]> {
    return (await this.store.listRollouts(environment, flag, limit)).map(toState)
  }

  /** Pauses a running rollout: the split stays, nothing is decided until it resumes. */
  pause(environment: string, flag: string, actor: Actor, reason?: string): Promise<RolloutState> {
    return this.operate(environment, flag, ['running'], (record, now) => ({
      action: 'pause',
      reason: reason ?? `paused by ${actor.name}`,
      actor,
      next: { ...fields(record), status: 'paused' },
      now,
    }))
  }

  /** Resumes a paused rollout: its stage starts over (clock and counts), the split is rewritten. */
  resume(environment: string, flag: string, actor: Actor, reason?: string): Promise<RolloutState> {
    return this.operate(environment, flag, ['paused'], (record, now) => {
      const monitor = RolloutMonitor.enterStage(
        RolloutMonitor.resume(monitorOf(record)),
        record.stageIndex,
        now,
      )
      const next = {
        ...fields(record),
        status: 'running' as const,
        stageStartedAt: new Date(now).toISOString(),
        monitor,
      }
      return {
        action: 'resume',
        reason:
          reason ??
          `resumed by ${actor.name}: stage ${record.stageIndex + 1} (${record.percent} %) starts over`,
        actor,
        next,
        now,
        config: (current) =>
          stageConfig(current, record.plan, record.percent, refOf({ ...record, ...next })),
      }
    })
  }

  /** Promotes a running or paused rollout to its next stage (completes it at the last). */
  promote(environment: string, flag: string, actor: Actor, reason?: string): Promise<RolloutState> {
    return this.operate(environment, flag, ['running', 'paused'], (record, now) =>
      advance(record, now, actor, reason ?? `promoted by ${actor.name}`),
    )
  }

  /** Aborts a running or paused rollout: the flag serves control to everyone the split covers. */
  abort(environment: string, flag: string, actor: Actor, reason?: string): Promise<RolloutState> {
    return this.operate(environment, flag, ['running', 'paused'], (record, now) =>
      end(record, now, actor, 'abort', reason ?? `aborted by ${actor.name}: serving control`),
    )
  }

  /** The signals of a flag's current (or latest) rollout per stage and variant. */
  async health(environment: string, flag: string): Promise<RolloutHealth> {
    const [latest] = await this.store.listRollouts(environment, flag, 1)
    if (!latest) return { environment, flag, rollout: null, assessment: null, stages: [] }
    const stages = await this.store.rolloutSignals(latest.id)
    const active = latest.status === 'running' || latest.status === 'paused'
    return {
      environment,
      flag,
      rollout: {
        id: latest.id,
        status: latest.status,
        stageIndex: latest.stageIndex,
        percent: latest.percent,
      },
      assessment: active ? RolloutMonitor.decide(monitorOf(latest), latest.plan, this.now()) : null,
      stages: stages.map((stage) => ({
        stageIndex: stage.stageIndex,
        percent: latest.plan.stages[stage.stageIndex]?.percent ?? 0,
        variants: Object.fromEntries(
          Object.entries(stage.variants).map(([variant, s]) => [
            variant,
            {
              ...s,
              errorRate: s.exposures > 0 ? s.errors / s.exposures : 0,
              errorUnitRate: s.exposures > 0 ? s.errorUnits / s.exposures : 0,
              meanLatencyMs: s.latencyCount > 0 ? s.latencySumMs / s.latencyCount : null,
            },
          ]),
        ),
      })),
    }
  }

  /**
   * Folds an accepted signals batch into the rollouts of its flags, then
   * decides for each running one at once (the fast path: a failing canary
   * reverts on the batch that makes the test fire).
   */
  observe(event: SignalsEvent): Promise<void> {
    const flags = new Set([...Object.keys(event.batch.flags), ...(event.batch.tripped ?? [])])
    const work: Promise<unknown>[] = []
    for (const flag of flags) {
      const key = keyOf(event.environment, flag)
      if (!this.active.has(key)) continue
      work.push(this.serialized(key, () => this.fold(key, event.batch)))
    }
    return Promise.all(work).then(() => undefined)
  }

  /**
   * On the leader: takes every active rollout's stored state (other
   * replicas fold signals and serve operations too), then evaluates each
   * running one against its stage clock.
   */
  async tick(): Promise<void> {
    if (!this.isLeader()) return
    const stored = await this.store.listActiveRollouts()
    const fresh = new Map(stored.map((r) => [keyOf(r.environment, r.flag), r]))
    for (const key of new Set([...this.active.keys(), ...fresh.keys()])) {
      this.serialized(key, async () => {
        const record = fresh.get(key)
        const known = this.active.get(key)
        if (!record) {
          // Ended elsewhere after the list was read? Only a stored end removes it.
          if (known) await this.reload(key, known.id)
        } else if (!known || known.stateVersion < record.stateVersion || known.id !== record.id) {
          this.active.set(key, record)
        }
      }).catch((error: unknown) => this.logError(error, 'reading a rollout failed'))
    }
    await Promise.all(
      [...this.active.entries()]
        .filter(([, record]) => record.status === 'running')
        .map(([key]) =>
          this.serialized(key, async () => {
            const record = this.active.get(key)
            if (record?.status === 'running') await this.evaluateOnce(record)
          }),
        ),
    )
  }

  private async fold(key: string, batch: SignalsBatch, attempt = 1): Promise<void> {
    let record = this.active.get(key)
    if (!record) return
    const plan = record.plan
    const before = record
    const observed = await this.store
      .observeRollout(before.id, {
        expectedStateVersion: record.stateVersion,
        ...(batch.id === undefined ? {} : { batchId: batch.id }),
        stageIndex: record.stageIndex,
        errorUnitHashes: FirstErrors.hashesOf(batch, record.flag),
        apply: (fresh) => {
          const counted = FirstErrors.apply(batch, before.flag, plan, fresh)
          const signals: Record<string, RolloutVariantSignals> = {}
          for (const [variant, s] of Object.entries(counted.batch.flags[before.flag] ?? {})) {
            signals[variant] = variantSignals(s)
          }
          const monitor = RolloutMonitor.observe(
            monitorOf(before),
            counted.batch,
            { flagKey: before.flag, plan },
            { firstErrorsPerStage: counted.firstErrorsPerStage },
          )
          return { monitor, signals }
        },
      })
      .catch(async (error: unknown) => {
        if (error instanceof StoreError && error.code === 'stale_version') {
          // Another writer (this replica's decision, or another replica
          // folding its own batches) moved the rollout: fold again onto its
          // state. The batch id keeps a retry from counting twice.
          await this.reload(key, before.id)
          if (attempt < MAX_FOLD_ATTEMPTS) return this.fold(key, batch, attempt + 1)
          this.logError(error, 'a batch could not be folded into its rollout')
          return undefined
        }
        throw error
      })
    if (!observed || observed.duplicate) return
    record = { ...before, ...observed.rollout }
    if (record.stateVersion > (this.active.get(key)?.stateVersion ?? 0))
      this.active.set(key, record)
    if (record.status === 'running' && this.isLeader()) await this.evaluateOnce(record)
  }

  /** `evaluate`, except that losing a race to another writer is not an error: its decision stands. */
  private async evaluateOnce(record: RolloutRecord): Promise<void> {
    try {
      await this.evaluate(record, monitorOf(record))
    } catch (error) {
      if (!(error instanceof StoreError && error.code === 'stale_version')) throw error
    }
  }

  private async evaluate(record: RolloutRecord, monitor: RolloutMonitorState): Promise<void> {
    const now = this.now()
    const decision = RolloutMonitor.decide(monitor, record.plan, now)
    switch (decision.action) {
      case 'continue':
        return
      case 'hold': {
        const stored = await this.store.getRollout(record.id)
        const last = stored?.decisions.at(-1)
        if (last?.action === 'hold' && last.stageIndex === record.stageIndex) return
        await this.apply(record, {
          action: 'hold',
          reason: decision.reason,
          actor: CONTROLLER_ACTOR,
          next: fields(record),
          now,
          evidence: decision.evidence,
        })
        return
      }
      case 'pause':
        await this.apply(record, {
          action: 'pause',
          reason: decision.reason,
          actor: CONTROLLER_ACTOR,
          next: { ...fields(record), status: 'paused' },
          now,
          evidence: decision.evidence,
        })
        return
      case 'revert': {
        const kill = record.plan.onFailure === 'kill'
        await this.apply(record, {
          ...end(record, now, CONTROLLER_ACTOR, kill ? 'kill' : 'revert', decision.reason),
          evidence: decision.evidence,
        })
        return
      }
      case 'promote':
      case 'complete':
        await this.apply(record, {
          ...advance(record, now, CONTROLLER_ACTOR, decision.reason, monitor),
          evidence: decision.evidence,
        })
        return
    }
  }

  private operate(
    environment: string,
    flag: string,
    from: readonly RolloutStatus[],
    plan: (record: RolloutRecord, now: number) => Step,
  ): Promise<RolloutState> {
    const key = keyOf(environment, flag)
    return this.serialized(key, async () => {
      // Another replica may have moved it: operate on the stored state.
      const record = await this.refresh(environment, flag)
      if (!record) {
        const [latest] = await this.store.listRollouts(environment, flag, 1)
        if (!latest) {
          throw new HttpError(404, 'not_found', `flag "${flag}" has no rollout in ${environment}`)
        }
        throw new HttpError(
          409,
          'rollout_not_active',
          `the latest rollout of "${flag}" in ${environment} is ${latest.status}`,
        )
      }
      if (!from.includes(record.status)) {
        throw new HttpError(
          409,
          'invalid_transition',
          `the rollout of "${flag}" in ${environment} is ${record.status}; this needs ${from.join(' or ')}`,
        )
      }
      return toState(await this.apply(record, plan(record, this.now())))
    })
  }

  private async apply(
    record: RolloutRecord,
    step: Step & { evidence?: StageDecision['evidence'] },
  ): Promise<RolloutWithDecisions> {
    const at = new Date(step.now).toISOString()
    const decision: RolloutDecision = {
      at,
      action: step.action,
      reason: step.reason,
      by: step.actor.name,
      stageIndex:
        step.next.stageIndex === record.stageIndex ? record.stageIndex : step.next.stageIndex,
      ...(step.evidence === undefined ? {} : { evidence: { ...step.evidence } }),
    }
    const transition: RolloutTransition = {
      action: AUDIT_OF[step.action],
      actor: step.actor,
      expectedStateVersion: record.stateVersion,
      next: step.next,
      decision,
      ...(step.config === undefined
        ? {}
        : { config: (current) => step.config?.(current.config) ?? current.config }),
    }
    const key = keyOf(record.environment, record.flag)
    const stored = await this.store
      .transitionRollout(record.id, transition)
      .catch(async (error: unknown) => {
        if (error instanceof StoreError && error.code === 'stale_version')
          await this.reload(key, record.id)
        throw error
      })
    if (stored.status === 'running' || stored.status === 'paused') this.active.set(key, stored)
    else this.active.delete(key)
    this.emit(stored, decision)
    return stored
  }

  /**
   * A rollout moved by any replica is taken from the store; a change to the
   * flag made by hand (or its deletion) during a rollout pauses it, or ends
   * it (on the leader, so one replica reacts).
   */
  private onCommit(event: CommitEvent): void {
    for (const entry of event.audit) {
      if (entry.resourceType !== 'flag') continue
      if (entry.action.startsWith('rollout.') && entry.environment !== null) {
        const environment = entry.environment
        const key = keyOf(environment, entry.resourceKey)
        this.serialized(key, () => this.refresh(environment, entry.resourceKey)).catch(
          (error: unknown) => this.logError(error, 'reading a rollout moved elsewhere failed'),
        )
        continue
      }
      if (!this.isLeader()) continue
      if (entry.action === 'flag.delete') {
        for (const record of this.active.values()) {
          if (record.flag === entry.resourceKey) this.manual(record.environment, entry)
        }
      } else if (MANUAL_ACTIONS.has(entry.action) && entry.environment !== null) {
        if (this.active.has(keyOf(entry.environment, entry.resourceKey))) {
          this.manual(entry.environment, entry)
        }
      }
    }
  }

  private manual(environment: string, entry: AuditEntry): void {
    const key = keyOf(environment, entry.resourceKey)
    this.serialized(key, async () => {
      const record = this.active.get(key)
      if (!record) return
      const now = this.now()
      const actor: Actor = { name: entry.actor, tokenId: entry.actorTokenId }
      const what =
        entry.action === 'flag.delete'
          ? 'deleted the flag'
          : entry.action === 'config.kill'
            ? 'killed the flag'
            : `changed its configuration by hand (${entry.action})`
      if (entry.action === 'flag.delete') {
        const { config: _, ...step } = end(record, now, actor, 'abort', `${entry.actor} ${what}`)
        await this.apply(record, step)
      } else if (entry.action === 'config.kill') {
        await this.apply(
          record,
          end(
            record,
            now,
            actor,
            'abort',
            `${entry.actor} ${what}: the rollout ends, serving control once unkilled`,
          ),
        )
      } else if (record.status === 'running') {
        await this.apply(record, {
          action: 'pause',
          reason: `${entry.actor} ${what} during the rollout: it waits for an operator to resume (which restores the stage's split) or abort`,
          actor,
          next: { ...fields(record), status: 'paused' },
          now,
        })
      }
    }).catch((error: unknown) =>
      this.logError(error, 'pausing a rollout after a manual change failed'),
    )
  }

  /** Takes a flag's latest stored rollout as its active one, or forgets it when it ended. */
  private async refresh(environment: string, flag: string): Promise<RolloutRecord | undefined> {
    const key = keyOf(environment, flag)
    const [latest] = await this.store.listRollouts(environment, flag, 1)
    if (latest && (latest.status === 'running' || latest.status === 'paused')) {
      this.active.set(key, latest)
      return latest
    }
    this.active.delete(key)
    return undefined
  }

  private async reload(key: string, id: string): Promise<void> {
    const fresh = await this.store.getRollout(id)
    if (fresh && (fresh.status === 'running' || fresh.status === 'paused'))
      this.active.set(key, fresh)
    else this.active.delete(key)
  }

  private serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve()
    const next = previous.then(fn, fn)
    const settled = next.catch(() => undefined)
    this.queues.set(key, settled)
    settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key)
    })
    return next
  }

  private emit(record: RolloutRecord, decision: RolloutDecision): void {
    const type = EVENT_OF[decision.action]
    if (!type) return
    const event: RolloutEvent = {
      type,
      environment: record.environment,
      flag: record.flag,
      rolloutId: record.id,
      stageIndex: record.stageIndex,
      percent: record.percent,
      at: decision.at,
      reason: decision.reason,
      ...(decision.evidence === undefined ? {} : { evidence: decision.evidence }),
    }
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        this.logError(error, 'a rollout listener threw')
      }
    }
  }

  private logError(error: unknown, message: string): void {
    this.options.logger?.error({ err: error }, message)
  }
}

/** One move of a rollout, before it is stored. */
interface Step {
  action: RolloutDecision['action']
  reason: string
  actor: Actor
  next: RolloutTransition['next']
  now: number
  /** The flag's configuration after the move, from the current one. */
  config?: (current: FlagConfig) => FlagConfig
}

function fields(record: RolloutRecord): RolloutTransition['next'] {
  return {
    status: record.status,
    stageIndex: record.stageIndex,
    percent: record.percent,
    stageStartedAt: record.stageStartedAt,
    monitor: record.monitor,
    ...(record.endedAt === undefined ? {} : { endedAt: record.endedAt }),
  }
}

function advance(
  record: RolloutRecord,
  now: number,
  actor: Actor,
  reason: string,
  monitor: RolloutMonitorState = monitorOf(record),
): Step {
  const at = new Date(now).toISOString()
  const index = record.stageIndex + 1
  const stage = record.plan.stages[index]
  const last = record.plan.stages.at(-1)?.percent ?? 100
  if (!stage || record.percent >= 100) {
    const percent = Math.max(record.percent, last)
    return {
      action: 'complete',
      reason,
      actor,
      next: { ...fields(record), status: 'completed', percent, endedAt: at, monitor },
      now,
      config: (current) => stageConfig(current, record.plan, percent, undefined),
    }
  }
  const next = {
    ...fields(record),
    status: 'running' as const,
    stageIndex: index,
    percent: stage.percent,
    stageStartedAt: at,
    monitor: RolloutMonitor.enterStage(monitor, index, now),
  }
  return {
    action: 'promote',
    reason,
    actor,
    next,
    now,
    config: (current) =>
      stageConfig(current, record.plan, stage.percent, refOf({ ...record, ...next })),
  }
}

function end(
  record: RolloutRecord,
  now: number,
  actor: Actor,
  action: 'revert' | 'kill' | 'abort',
  reason: string,
): Step {
  const status: RolloutStatus = action === 'abort' ? 'aborted' : 'reverted'
  return {
    action,
    reason,
    actor,
    next: { ...fields(record), status, percent: 0, endedAt: new Date(now).toISOString() },
    now,
    config: (current) => {
      const reverted = stageConfig(current, record.plan, 0, undefined)
      return action === 'kill'
        ? {
            ...reverted,
            killed: true,
            killReason: `rollout ${record.id} failed: ${reason}`.slice(0, 1024),
          }
        : reverted
    },
  }
}

/**
 * The configuration serving `percent` of the fallthrough the treatment,
 * treatment first so that raising the percent only adds units. Rules stay; a
 * split attribute already set stays. Enabled, since a rollout is meant to serve.
 */
export function stageConfig(
  current: FlagConfig,
  plan: RolloutPlan,
  percent: number,
  rollout: RolloutRef | undefined,
): FlagConfig {
  const by = 'split' in current.fallthrough ? current.fallthrough.by : undefined
  const weight = Math.round(percent * 100)
  const { rollout: _, ...rest } = current
  return {
    ...rest,
    enabled: true,
    fallthrough: {
      split: [
        { variant: plan.treatment, weight },
        { variant: plan.control, weight: TOTAL_WEIGHT - weight },
      ],
      ...(by === undefined ? {} : { by }),
    },
    ...(rollout === undefined ? {} : { rollout }),
  }
}

function refOf(record: Pick<RolloutRecord, 'id' | 'stageIndex' | 'plan'>): RolloutRef {
  return {
    id: record.id,
    stage: record.stageIndex,
    treatment: record.plan.treatment,
    control: record.plan.control,
    ...(record.plan.localGuard === undefined ? {} : { localGuard: record.plan.localGuard }),
  }
}

function monitorOf(record: RolloutRecord): RolloutMonitorState {
  const parsed = RolloutMonitor.parse(record.monitor)
  if (!parsed.success) {
    throw new Error(`rollout ${record.id} has a damaged monitor state: ${parsed.error.message}`)
  }
  return parsed.data
}

function variantSignals(s: VariantSignals): RolloutVariantSignals {
  return {
    batches: 1,
    exposures: s.exposures,
    successes: s.successes,
    errors: s.errors,
    errorUnits: s.errorUnits,
    latencyCount: s.latencyMs?.count ?? 0,
    latencySumMs: s.latencyMs?.sumMs ?? 0,
    latencyMaxMs: s.latencyMs?.maxMs ?? 0,
    latencyBuckets:
      s.latencyMs?.buckets ?? new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
  }
}

function toState(record: RolloutWithDecisions): RolloutState {
  return {
    id: record.id,
    flag: record.flag,
    environment: record.environment,
    status: record.status,
    stageIndex: record.stageIndex,
    percent: record.percent,
    plan: record.plan,
    startedAt: record.startedAt,
    stageStartedAt: record.stageStartedAt,
    ...(record.endedAt === undefined ? {} : { endedAt: record.endedAt }),
    stateVersion: record.stateVersion,
    decisions: record.decisions,
  }
}

function keyOf(environment: string, flag: string): string {
  return `${environment}/${flag}`
}
