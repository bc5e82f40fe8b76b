import { type Context, type EvaluatedFlag, evaluateSnapshot } from '@floodgate/core'
import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import { type Audience, EnvironmentView } from './environmentView'
import { type FanoutMessage, fanoutChannel } from './fanoutChannel'
import { HttpError } from './httpError'
import type { Metrics } from './metrics'
import { formatSseEvent, SseStream } from './sseStream'
import type { Store } from './store/store'
import type { AuditEntry, Change, CommitEvent, TokenRecord } from './types'

/** Options of the `StreamHub`. */
export interface StreamHubOptions {
  /** Interval of the heartbeat comment on every stream, in ms. */
  heartbeatMs: number
  /** Open streams (SDK and admin together) beyond which a new one gets 503 with `Retry-After`. */
  maxStreams: number
  /** Recent changes kept per environment for `Last-Event-ID` resume. */
  resumeBufferSize: number
  /** The `retry:` hint (ms) sent to streams ended by a shutdown. */
  retryMs: number
  /** Unsent bytes after which a stream whose client stopped reading is dropped. */
  maxBufferedBytes: number
  /** Audit entries an admin stream catches up on after a reconnect. */
  adminResumeLimit: number
}

interface AdminStreamState {
  /** Id of the last audit entry sent. */
  lastId: number
  /** Entries held back while the backlog is read. */
  held: AuditEntry[] | undefined
}

interface Streams {
  server: Set<SseStream>
  client: Set<SseStream>
}

/** An evaluation stream: one context, and what it was last sent. */
interface EvaluationStream {
  readonly stream: SseStream
  readonly audience: Audience
  readonly context: Context
  /** Each flag's evaluation as last sent (JSON), so that a change sends only what differs. */
  readonly sent: Map<string, string>
}

const HEARTBEAT = Buffer.from(': heartbeat\n\n')
const CONNECTED = Buffer.from(': connected\n\n')
/** Heartbeats go out in slices, one slice per tick of about this length (ms). */
const HEARTBEAT_TICK_MS = 100

/**
 * Holds every environment's view and every open stream, and pushes each
 * committed change right after the commit: every frame is serialized once
 * per environment and audience and the same buffer is written to every
 * socket. Closes the streams of a revoked token at once. Each fan-out is
 * published on the `floodgate:stream.fanout` diagnostics channel.
 */
export class StreamHub {
  private readonly views = new Map<string, EnvironmentView>()
  private readonly streams = new Map<string, Streams>()
  private readonly byToken = new Map<string, Set<SseStream>>()
  private readonly adminStreams = new Map<SseStream, AdminStreamState>()
  private readonly evaluationStreams = new Map<string, Set<EvaluationStream>>()
  /** Every open stream, in the order the heartbeat visits them. */
  private readonly all = new Set<SseStream>()
  private heartbeat: NodeJS.Timeout | undefined
  private readonly beatTicks: number
  private beatTick = 0
  private beatRound: SseStream[] = []
  private unsubscribe: (() => void) | undefined
  private pending: CommitEvent[] | undefined = []
  private closing = false

  constructor(
    private readonly store: Store,
    private readonly options: StreamHubOptions,
    private readonly metrics: Metrics,
    private readonly logger: FastifyBaseLogger,
  ) {
    this.beatTicks = Math.max(1, Math.floor(options.heartbeatMs / HEARTBEAT_TICK_MS))
  }

  /** Loads every environment and starts following commits. */
  async start(): Promise<void> {
    this.unsubscribe = this.store.subscribe((event) => {
      if (this.pending) this.pending.push(event)
      else this.onCommit(event)
    })
    for (const env of await this.store.listEnvironments()) await this.load(env.name)
    const pending = this.pending ?? []
    this.pending = undefined
    for (const event of pending) this.onCommit(event)
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs / this.beatTicks)
    this.heartbeat.unref()
  }

  /** The view of an environment, if it exists. */
  view(environment: string): EnvironmentView | undefined {
    return this.views.get(environment)
  }

  /** Number of open streams. */
  get size(): number {
    return this.all.size
  }

  /**
   * Opens an SDK stream for a `server` or `client` token: a `put` of the
   * snapshot, or after `Last-Event-ID` only the patches missed while the ring
   * still holds them.
   */
  openSdkStream(reply: FastifyReply, token: TokenRecord, lastEventId: string | undefined): void {
    const audience: Audience = token.scope === 'client' ? 'client' : 'server'
    const view = token.environment === null ? undefined : this.views.get(token.environment)
    if (!view)
      throw new HttpError(404, 'not_found', `environment "${token.environment}" does not exist`)
    this.admit()
    const stream = SseStream.open(reply, this.options.maxBufferedBytes)
    const resumeFrom = parseEventId(lastEventId)
    const missed = resumeFrom === undefined ? 'put' : view.missedSince(audience, resumeFrom)
    if (missed === 'put') stream.write(view.putFrame(audience))
    else if (missed.length === 0) stream.write(CONNECTED)
    else stream.writeAll(missed)
    this.metrics.pushes.inc(
      { event: missed === 'put' ? 'put' : 'patch' },
      missed === 'put' ? 1 : missed.length,
    )

    const set = this.streamsOf(view.name)[audience]
    set.add(stream)
    const tokenStreams = this.byToken.get(token.id) ?? new Set()
    tokenStreams.add(stream)
    this.byToken.set(token.id, tokenStreams)
    this.track(stream, audience, () => {
      set.delete(stream)
      tokenStreams.delete(stream)
      if (tokenStreams.size === 0 && this.byToken.get(token.id) === tokenStreams) {
        this.byToken.delete(token.id)
      }
    })
  }

  /**
   * Opens an evaluation stream (`POST /v1/sdk/evaluate/stream`): a `put` of
   * every flag the token sees, evaluated for `context`, then after each
   * committed change a `patch` of the flags whose evaluation for this
   * context changed (`null` for a flag gone). Changes that alter nothing for
   * this context send nothing. No `Last-Event-ID` resume: a reconnection
   * gets a fresh `put`, which is small.
   */
  openEvaluationStream(reply: FastifyReply, token: TokenRecord, context: Context): void {
    const audience: Audience = token.scope === 'client' ? 'client' : 'server'
    const view = token.environment === null ? undefined : this.views.get(token.environment)
    if (!view)
      throw new HttpError(404, 'not_found', `environment "${token.environment}" does not exist`)
    this.admit()
    const stream = SseStream.open(reply, this.options.maxBufferedBytes, 'POST')
    const evaluation = evaluateSnapshot(view.snapshotObject(audience), context)
    const state: EvaluationStream = { stream, audience, context, sent: new Map() }
    for (const [key, flag] of Object.entries(evaluation.flags)) {
      state.sent.set(key, JSON.stringify(flag))
    }
    stream.write(
      formatSseEvent({ id: evaluation.version, event: 'put', data: JSON.stringify(evaluation) }),
    )
    this.metrics.pushes.inc({ event: 'put' })
    let set = this.evaluationStreams.get(view.name)
    if (set === undefined) {
      set = new Set()
      this.evaluationStreams.set(view.name, set)
    }
    const states = set
    states.add(state)
    const tokenStreams = this.byToken.get(token.id) ?? new Set()
    tokenStreams.add(stream)
    this.byToken.set(token.id, tokenStreams)
    this.track(stream, 'evaluation', () => {
      states.delete(state)
      tokenStreams.delete(stream)
      if (tokenStreams.size === 0 && this.byToken.get(token.id) === tokenStreams) {
        this.byToken.delete(token.id)
      }
    })
  }

  /**
   * Opens an admin stream: every audit entry as an `event: change`. After a
   * reconnect, `Last-Event-ID` catches up from the audit log (at most
   * `adminResumeLimit` entries, the most recent ones).
   */
  async openAdminStream(
    reply: FastifyReply,
    token: TokenRecord,
    lastEventId: string | undefined,
  ): Promise<void> {
    this.admit()
    const resumeFrom = parseEventId(lastEventId)
    const stream = SseStream.open(reply, this.options.maxBufferedBytes)
    const state: AdminStreamState = {
      lastId: resumeFrom ?? 0,
      held: resumeFrom === undefined ? undefined : [],
    }
    this.adminStreams.set(stream, state)
    const tokenStreams = this.byToken.get(token.id) ?? new Set()
    tokenStreams.add(stream)
    this.byToken.set(token.id, tokenStreams)
    this.track(stream, 'admin', () => {
      this.adminStreams.delete(stream)
      tokenStreams.delete(stream)
    })
    stream.write(CONNECTED)
    if (resumeFrom === undefined) return
    const page = await this.store.queryAudit({
      after: resumeFrom,
      limit: this.options.adminResumeLimit,
    })
    // Entries committed while the log was read were held back; both go out in id order.
    const held = state.held ?? []
    state.held = undefined
    for (const entry of [...page.entries.reverse(), ...held]) this.writeAudit(stream, state, entry)
  }

  /**
   * Sends one event to every admin stream, without an id: what it reports is
   * also in the audit log, which is what a reconnecting stream catches up on.
   */
  publishAdmin(event: string, data: unknown): void {
    const frame = formatSseEvent({ event, data: JSON.stringify(data) })
    for (const stream of this.adminStreams.keys()) stream.write(frame)
    this.metrics.pushes.inc({ event }, this.adminStreams.size)
  }

  /** Ends every stream with a `retry:` hint and stops following commits. */
  close(): void {
    if (this.closing) return
    this.closing = true
    clearInterval(this.heartbeat)
    this.unsubscribe?.()
    for (const streams of this.streams.values()) {
      for (const stream of [...streams.server, ...streams.client])
        stream.close(this.options.retryMs)
    }
    for (const stream of [...this.adminStreams.keys()]) stream.close(this.options.retryMs)
    for (const states of this.evaluationStreams.values()) {
      for (const state of [...states]) state.stream.close(this.options.retryMs)
    }
  }

  private admit(): void {
    if (this.closing) {
      throw new HttpError(503, 'shutting_down', 'the server is shutting down', {
        headers: { 'Retry-After': String(Math.ceil(this.options.retryMs / 1000)) },
      })
    }
    if (this.all.size >= this.options.maxStreams) {
      throw new HttpError(
        503,
        'too_many_streams',
        `this server holds its maximum of ${this.options.maxStreams} open streams`,
        { headers: { 'Retry-After': '5' } },
      )
    }
  }

  private track(
    stream: SseStream,
    kind: Audience | 'admin' | 'evaluation',
    cleanup: () => void,
  ): void {
    this.all.add(stream)
    this.metrics.openStreams.inc({ kind })
    stream.onClose(() => {
      this.all.delete(stream)
      this.metrics.openStreams.dec({ kind })
      cleanup()
    })
  }

  private streamsOf(environment: string): Streams {
    let streams = this.streams.get(environment)
    if (!streams) {
      streams = { server: new Set(), client: new Set() }
      this.streams.set(environment, streams)
    }
    return streams
  }

  private async load(environment: string): Promise<void> {
    const state = await this.store.loadEnvironment(environment)
    if (state)
      this.views.set(environment, new EnvironmentView(state, this.options.resumeBufferSize))
  }

  private onCommit(event: CommitEvent): void {
    for (const change of event.changes) this.applyChange(change)
    for (const entry of event.audit) {
      for (const [stream, state] of this.adminStreams) this.writeAudit(stream, state, entry)
      if (entry.action === 'token.revoke') {
        for (const stream of [...(this.byToken.get(entry.resourceKey) ?? [])]) stream.close()
        this.byToken.delete(entry.resourceKey)
      }
    }
  }

  private applyChange(change: Change): void {
    if (change.type === 'environment') {
      this.reload(change.environment)
      return
    }
    const view = this.views.get(change.environment)
    if (!view) {
      this.reload(change.environment)
      return
    }
    const result = view.apply(change)
    if (result.status === 'stale') return
    if (result.status === 'gap') {
      this.reload(change.environment)
      return
    }
    const streams = this.streams.get(change.environment)
    for (const audience of ['server', 'client'] as const) {
      const update = result[audience]
      if (update === null || !streams) continue
      const frame = update === 'put' ? view.putFrame(audience) : update
      this.fanOut(view, audience, update === 'put' ? 'put' : 'patch', streams[audience], frame)
    }
    this.reevaluate(view, {
      server: result.server !== null,
      client: result.client !== null,
    })
  }

  /**
   * Re-evaluates every evaluation stream of an environment whose audience
   * saw a change, after the snapshot streams got theirs, and sends each the
   * flags whose evaluation for its context changed.
   */
  private reevaluate(view: EnvironmentView, changed: Record<Audience, boolean>): void {
    const states = this.evaluationStreams.get(view.name)
    if (!states) return
    for (const state of states) {
      if (!changed[state.audience]) continue
      const evaluation = evaluateSnapshot(view.snapshotObject(state.audience), state.context)
      const flags: Record<string, EvaluatedFlag | null> = {}
      let any = false
      for (const [key, flag] of Object.entries(evaluation.flags)) {
        const json = JSON.stringify(flag)
        if (state.sent.get(key) === json) continue
        state.sent.set(key, json)
        flags[key] = flag
        any = true
      }
      for (const key of state.sent.keys()) {
        if (Object.hasOwn(evaluation.flags, key)) continue
        state.sent.delete(key)
        flags[key] = null
        any = true
      }
      if (!any) continue
      const data = JSON.stringify({ version: evaluation.version, flags })
      state.stream.write(formatSseEvent({ id: evaluation.version, event: 'patch', data }))
      this.metrics.pushes.inc({ event: 'patch' })
    }
  }

  private fanOut(
    view: EnvironmentView,
    audience: Audience,
    event: FanoutMessage['event'],
    streams: Set<SseStream>,
    frame: Buffer,
  ): void {
    const observed = fanoutChannel.hasSubscribers
    const started = observed ? performance.now() : 0
    for (const stream of streams) stream.write(frame)
    this.metrics.pushes.inc({ event }, streams.size)
    if (!observed) return
    const message: FanoutMessage = {
      environment: view.name,
      audience,
      event,
      version: view.versionFor(audience),
      streams: streams.size,
      bytes: frame.length,
      startedAt: performance.timeOrigin + started,
      durationMs: performance.now() - started,
    }
    fanoutChannel.publish(message)
  }

  /** Reloads an environment from the store (a new one, or one that missed changes) and sends its streams a `put`. */
  private reload(environment: string): void {
    this.load(environment).then(
      () => {
        const view = this.views.get(environment)
        if (!view) return
        const streams = this.streams.get(environment)
        for (const audience of ['server', 'client'] as const) {
          if (streams)
            this.fanOut(view, audience, 'put', streams[audience], view.putFrame(audience))
        }
        this.reevaluate(view, { server: true, client: true })
      },
      (error: unknown) =>
        this.logger.error({ err: error, environment }, 'reloading an environment failed'),
    )
  }

  private writeAudit(stream: SseStream, state: AdminStreamState, entry: AuditEntry): void {
    if (state.held) {
      state.held.push(entry)
      return
    }
    if (entry.id <= state.lastId) return
    state.lastId = entry.id
    stream.write(formatSseEvent({ id: entry.id, event: 'change', data: JSON.stringify(entry) }))
    this.metrics.pushes.inc({ event: 'change' })
  }

  /**
   * One heartbeat per stream per interval, spread over the interval in slices:
   * one burst to every socket would block the event loop as long as a kill's
   * fan-out, and a kill landing in it would wait. A round covers the streams
   * open when it began; streams opened since wait for the next round (their
   * `put` or `: connected` was written just now anyway).
   */
  private beat(): void {
    const tick = this.beatTick
    if (tick === 0) this.beatRound = [...this.all]
    const n = this.beatRound.length
    const to = Math.floor(((tick + 1) * n) / this.beatTicks)
    for (let i = Math.floor((tick * n) / this.beatTicks); i < to; i++) {
      this.beatRound[i]?.write(HEARTBEAT)
    }
    this.beatTick = (tick + 1) % this.beatTicks
    if (this.beatTick === 0) this.beatRound = []
  }
}

function parseEventId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value.trim())) return undefined
  return Number(value.trim())
}
