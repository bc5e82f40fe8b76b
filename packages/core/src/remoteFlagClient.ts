import { clientEvents } from './clientEvents'
import { defaultLogger } from './defaultLogger'
import { FlagSdkError, SchemaError } from './errors'
import { errorDetails } from './evaluate'
import type { EvaluatedFlag, Evaluation, EvaluationPatch } from './evaluation'
import { checkEvaluation, checkEvaluationPatch } from './evaluationValidator'
import { FlagRevisions } from './flagRevisions'
import { defaultTimer, guardedCall } from './guardedCall'
import { LocalGuardBreaker } from './localGuardBreaker'
import { PageSignals } from './pageSignals'
import { ErrorCode, Reason } from './reasons'
import type { SafeEmitter } from './safeEmitter'
import { sameAttributes } from './sameAttributes'
import type { JsonValue } from './schemas'
import { sdkInfo } from './sdkInfo'
import type { BackoffOptions } from './transport/backoff'
import { RemoteConnection } from './transport/remoteConnection'
import type {
  ClientStatus,
  Context,
  EvaluationDetails,
  FlagClientEvent,
  FlagClientEventType,
  Logger,
  OutcomeOptions,
  SdkInfo,
} from './types'
import { describeType, sameType } from './valueType'

/** Options of `RemoteFlagClient`. `url` and `token` are required. */
export interface RemoteFlagClientOptions {
  /** The Floodgate server, e.g. `https://flags.example.com`. */
  url: string
  /** An SDK token; in a browser a `client` token (`fg_client_…`), which sees only `clientSide` flags. */
  token: string
  /** Who the flags are evaluated for; `identify` changes it. Default: none. */
  context?: Context
  /**
   * The evaluation to serve from the start, for this very `context` (a
   * server render's, from `evaluateSnapshot`). Default: none (`loading`).
   */
  bootstrap?: Evaluation
  /** Keep a stream open for instant updates; `false` polls. Default `true`. */
  streaming?: boolean
  /** Time between two polls when not streaming, in ms. Default 30000. */
  pollIntervalMs?: number
  /** Time between two signals batches, in ms (urgent batches go at once). Default 10000. */
  signalsIntervalMs?: number
  /** Time allowed for a request until its response headers arrive, in ms. Default 10000. */
  timeoutMs?: number
  /** A stream silent for this long (the server comments every 15 s) is reopened, in ms. Default 45000. */
  heartbeatTimeoutMs?: number
  /** Delays between reconnections and retries (exponential, full jitter). */
  backoff?: BackoffOptions
  /** Send signals with `keepalive`, so that a batch sent as the page goes still arrives. Default `false`. */
  signalsKeepalive?: boolean
  /** Names the sender of signals batches. Default: `@floodgate/core`, its version, a random instance id. */
  sdk?: Partial<SdkInfo>
  /** Where failures are logged. Default: `console` when there is one. */
  logger?: Logger
  /** Treatment errors in one window that send signals at once. Default 10. */
  urgentErrors?: number
  /** The `fetch` to use. Default: the global one. */
  fetch?: typeof fetch
  /** Wall clock in epoch milliseconds, for signals windows. Default: `Date.now`. */
  now?: () => number
}

/** One flag held: its evaluation and its local guard. */
interface RemoteEntry {
  readonly flag: EvaluatedFlag
  readonly breaker: LocalGuardBreaker | undefined
}

/**
 * A flag client for one context whose flags the server evaluates
 * (`POST /v1/sdk/evaluate` and its stream): the browser's lean client. It
 * holds no rules and no evaluator, only each flag's outcome for the
 * context, so it weighs a fraction of `FlagClient` and a page never sees
 * targeting rules (the e-mail lists of a rule, other users' segments).
 * Reads are still local lookups; the network is used when the context
 * changes (`identify`) and when the configuration does (the stream).
 *
 * Everything else is as with `FlagClient`: the same statuses and events,
 * reads that never throw, signals per variant served, and the local guard
 * of a rollout, which serves control in this page once treatment fails here.
 *
 * @example
 * const flags = new RemoteFlagClient({ url, token: 'fg_client_…', context: { userId } }).start()
 * await flags.ready()
 * if (flags.isEnabled('new-checkout')) { … }
 */
export class RemoteFlagClient {
  /** The signals counted for the served variants, drained by the transport. */
  readonly signals: PageSignals
  #evaluation: Evaluation | undefined
  #entries = new Map<string, RemoteEntry>()
  readonly #revisions = new FlagRevisions()
  #status: ClientStatus = { status: 'loading' }
  #context: Context
  readonly #events: SafeEmitter<FlagClientEvent>
  readonly #logger: Logger
  readonly #timer = defaultTimer()
  readonly #options: RemoteFlagClientOptions
  #connection: RemoteConnection | undefined
  #stopping: Promise<void> | undefined

  constructor(options: RemoteFlagClientOptions) {
    if (!options?.url || !options.token) {
      throw new FlagSdkError(
        'invalid_options',
        'RemoteFlagClient: `url` and `token` (a client token, fg_client_…) are required',
      )
    }
    this.#options = options
    this.#context = { ...options.context }
    this.#logger = options.logger ?? defaultLogger
    this.signals = new PageSignals({
      sdk: sdkInfo(options.sdk),
      now: options.now,
      urgentErrors: options.urgentErrors,
      logger: this.#logger,
    })
    this.#events = clientEvents(this.#logger)
    if (options.bootstrap !== undefined) this.setEvaluation(options.bootstrap)
  }

  /** Is it connected (started and not stopped)? */
  get started(): boolean {
    return this.#connection !== undefined
  }

  /**
   * Connects: streams (or polls) the evaluation and sends signals until
   * `stop`. Waits for a `stop` under way, so a remount reconnects cleanly.
   * Idempotent. Returns the client.
   */
  start(): this {
    if (this.#connection !== undefined) return this
    const connection = new RemoteConnection(this, this.#options)
    this.#connection = connection
    const begin = () => {
      if (this.#connection === connection) connection.start()
    }
    if (this.#stopping === undefined) begin()
    else void this.#stopping.then(begin)
    return this
  }

  /** Closes the stream, stops polling and flushes the signals. `start` connects again. Never rejects. */
  stop(): Promise<void> {
    const connection = this.#connection
    if (connection === undefined) return this.#stopping ?? Promise.resolve()
    this.#connection = undefined
    const stopping = connection.close().finally(() => {
      if (this.#stopping === stopping) this.#stopping = undefined
    })
    this.#stopping = stopping
    return stopping
  }

  /** Resolves once the first sync after `start` succeeded or failed (never rejects); at once when not started. */
  async ready(): Promise<void> {
    await this.#connection?.firstSync
  }

  /**
   * Evaluates for another context from now on: the flags held keep serving
   * until the server's evaluation for the new context arrives (no flash of
   * defaults). The same attributes again change nothing. Resolves once the
   * new evaluation is served or getting it failed; never rejects.
   */
  identify(context: Context): Promise<void> {
    if (sameAttributes(this.#context, context)) return Promise.resolve()
    this.#context = { ...context }
    return this.#connection?.reconnect() ?? Promise.resolve()
  }

  /** The context the flags are evaluated for. */
  getContext(): Context {
    return { ...this.#context }
  }

  /** The evaluation served (flags the server evaluated for the context); `undefined` before the first. */
  readonly getEvaluation = (): Evaluation | undefined => this.#evaluation

  /** Is the boolean flag `key` on? `false` when it is missing, not boolean, or anything fails. Counts an exposure. */
  isEnabled(key: string): boolean {
    return this.#details(key, false, true, true).value === true
  }

  /** The value of flag `key`, or `defaultValue` when it is missing, of another type or failed. Counts an exposure. */
  getValue<T extends JsonValue>(key: string, defaultValue: T): T {
    return this.#details(key, defaultValue, true, true).value as T
  }

  /** The variant served for flag `key`, `undefined` when none. Counts an exposure. */
  getVariant(key: string): string | undefined {
    return this.#details(key, undefined, false, true).variant
  }

  /** The full evaluation details of flag `key`, as `FlagClient.getDetails` gives them. Counts an exposure. */
  getDetails(key: string, defaultValue?: JsonValue): EvaluationDetails<JsonValue | undefined> {
    return this.#details(key, defaultValue, defaultValue !== undefined, true)
  }

  /** The details `getDetails` would give, counting no exposure (for adapters that read while rendering). */
  peekDetails(key: string, defaultValue?: JsonValue): EvaluationDetails<JsonValue | undefined> {
    return this.#details(key, defaultValue, defaultValue !== undefined, false)
  }

  /** The details of every flag held. Counts no exposures. */
  allFlags(): Record<string, EvaluationDetails<JsonValue | undefined>> {
    const all: Record<string, EvaluationDetails<JsonValue | undefined>> = {}
    for (const key of this.#entries.keys()) all[key] = this.#details(key, undefined, false, false)
    return all
  }

  /** Counts one exposure of `variant` of flag `key` (for adapters that read with `peekDetails`). */
  recordExposure(key: string, variant: string): void {
    const entry = this.#entries.get(key)
    if (entry !== undefined && variant === served(entry)) {
      this.signals.expose(key, variant, entry.flag.rollout !== undefined)
    }
  }

  /** Counts a success of the variant of `key` served, with its latency when given. */
  recordSuccess(key: string, _context?: Context, options?: OutcomeOptions): void {
    this.#settle(key, true, options?.latencyMs, undefined)
  }

  /**
   * Counts an error of the variant of `key` served, which feeds the local
   * guard: once a rollout's treatment has failed often enough here, this
   * client serves control for the flag until a newer version arrives. (The
   * `context` parameter exists for adapters written against both clients;
   * this client has one context.)
   */
  recordError(key: string, error?: unknown, _context?: Context, options?: OutcomeOptions): void {
    this.#settle(key, false, options?.latencyMs, error)
  }

  /**
   * Runs `fn` and counts its outcome and latency for the variant of `key`
   * served, as `FlagClient.guard` does: returns or throws exactly what `fn`
   * does, a promise counted when it settles.
   *
   * @example
   * const receipt = await flags.guard('new-checkout', undefined, () => submitPayment(cart))
   */
  guard<R>(key: string, _context: Context | undefined, fn: () => R): R {
    return guardedCall(
      fn,
      this.#timer,
      this.#entries.has(key)
        ? (ok, latencyMs, error) => this.#settle(key, ok, latencyMs, error)
        : undefined,
    )
  }

  /** Where the client stands; the same object until the status changes. Bound to the client. */
  readonly getStatus = (): ClientStatus => this.#status

  /** A number that changes whenever what flag `key` serves may change, and only then (see `FlagClient`). */
  getFlagRevision(key: string): number {
    return this.#revisions.get(key)
  }

  /** Listens to one type of event; returns the function that stops listening. */
  on<T extends FlagClientEventType>(
    type: T,
    listener: (event: Extract<FlagClientEvent, { type: T }>) => void,
  ): () => void {
    return this.#events.on(type, listener)
  }

  /** Listens to every event; returns the function that stops listening. Bound to the client. */
  readonly subscribe = (listener: (event: FlagClientEvent) => void): (() => void) =>
    this.#events.subscribe(listener)

  /** Sends the signals counted so far now. Never rejects. */
  flushSignals(): Promise<void> {
    return this.#connection?.flushSignals() ?? Promise.resolve()
  }

  /** Stops polling (a hidden page); the stream, when open, stays open. */
  pausePolling(): void {
    this.#connection?.pausePolling()
  }

  /** Polls again, at once, after `pausePolling`. */
  resumePolling(): void {
    this.#connection?.resumePolling()
  }

  /**
   * Serves a whole evaluation (a bootstrap, a poll, a stream's `put`),
   * trusted as checked. Flags equal to the ones held keep their objects and
   * are not reported as changed. Returns the keys that changed.
   */
  setEvaluation(evaluation: Evaluation): string[] {
    return this.#apply(evaluation, evaluation.flags, true)
  }

  /** Applies a stream's `patch` to the evaluation held; ignored (returns `[]`) without one. */
  applyEvaluationPatch(patch: EvaluationPatch): string[] {
    const held = this.#evaluation
    return held === undefined
      ? []
      : this.#apply({ ...held, version: patch.version }, patch.flags, false)
  }

  /** Checks untrusted input (JSON text or decoded JSON) as an evaluation and serves it; throws a `SchemaError`, changing nothing, when it is not one. */
  setEvaluationFromJson(input: unknown): string[] {
    const checked = checkEvaluation(decode(input, 'evaluation'))
    if (!checked.success) throw new SchemaError('evaluation', checked.issues)
    return this.setEvaluation(checked.data)
  }

  /** Checks untrusted input as an evaluation patch and applies it; throws a `SchemaError`, changing nothing, when it is not one. */
  applyEvaluationPatchFromJson(input: unknown): string[] {
    const checked = checkEvaluationPatch(decode(input, 'evaluation patch'))
    if (!checked.success) throw new SchemaError('evaluation patch', checked.issues)
    return this.applyEvaluationPatch(checked.data)
  }

  /** The server said the evaluation held is current (a `304`). */
  markCurrent(): void {
    this.#becomeReady()
  }

  /**
   * Reports a transport failure: `stale` while an evaluation is held,
   * `error` before the first, and an `error` event either way.
   */
  reportError(error: FlagSdkError): void {
    const held = this.#evaluation
    if (held === undefined) {
      this.#status = { status: 'error', error }
    } else {
      this.#status = { status: 'stale', version: held.version, error }
      this.#events.emit({ type: 'stale', version: held.version, cause: 'transport', error })
    }
    this.#events.emit({ type: 'error', error })
  }

  /** Serves `flags` over what is held (`replace`: instead of it); returns the keys that changed. */
  #apply(
    next: Pick<Evaluation, 'environment' | 'version'>,
    flags: Readonly<Record<string, EvaluatedFlag | null>>,
    replace: boolean,
  ): string[] {
    const previous = this.#entries
    const entries = replace ? new Map<string, RemoteEntry>() : new Map(previous)
    const changed: string[] = []
    const drop = (key: string) => {
      entries.delete(key)
      changed.push(key)
    }
    for (const [key, flag] of Object.entries(flags)) {
      const held = previous.get(key)
      if (flag === null) {
        if (held !== undefined) drop(key)
        continue
      }
      const entry = this.#entryFor(flag, held)
      entries.set(key, entry)
      if (entry !== held) changed.push(key)
    }
    if (replace) for (const key of previous.keys()) if (!entries.has(key)) drop(key)
    const first = this.#evaluation === undefined
    this.#entries = entries
    this.#evaluation = {
      schemaVersion: 1,
      environment: next.environment,
      version: next.version,
      flags: Object.fromEntries([...entries].map(([key, entry]) => [key, entry.flag])),
    }
    if (first) this.#revisions.first()
    else this.#revisions.touch(changed)
    this.#becomeReady()
    if (!first && changed.length > 0) {
      this.#events.emit({ type: 'change', version: next.version, flagKeys: changed })
    }
    return changed
  }

  /**
   * The entry of a flag: the previous one when nothing changed, else new
   * counters and a local guard; the guard carries over (a trip holds) unless
   * the flag has a newer version or another rollout.
   */
  #entryFor(flag: EvaluatedFlag, previous: RemoteEntry | undefined): RemoteEntry {
    // The server writes a flag's fields in one order, so equal flags have equal JSON.
    if (previous !== undefined && JSON.stringify(previous.flag) === JSON.stringify(flag)) {
      return previous
    }
    const rollout = flag.rollout
    const guard = rollout?.localGuard
    if (guard === undefined) return { flag, breaker: undefined }
    const held = previous?.breaker
    const same =
      held !== undefined &&
      previous?.flag.version === flag.version &&
      previous.flag.rollout?.id === rollout?.id
    // The breaker's variant indexes are unused here: `served` names the variants.
    return {
      flag,
      breaker: same ? held : new LocalGuardBreaker(guard.minErrors, guard.maxErrorRate, 0, 1),
    }
  }

  #details(
    key: string,
    defaultValue: JsonValue | undefined,
    typed: boolean,
    count: boolean,
  ): EvaluationDetails<JsonValue | undefined> {
    const flagKey = typeof key === 'string' ? key : ''
    if (this.#evaluation === undefined) {
      return errorDetails(
        flagKey,
        defaultValue,
        ErrorCode.PROVIDER_NOT_READY,
        'the client has no evaluation yet',
      )
    }
    const entry = this.#entries.get(flagKey)
    if (entry === undefined) {
      return errorDetails(
        flagKey,
        defaultValue,
        ErrorCode.FLAG_NOT_FOUND,
        `flag "${flagKey}" is not in the evaluation`,
      )
    }
    const { flag } = entry
    const variant = served(entry)
    if (variant === undefined || flag.value === undefined) {
      return errorDetails(
        flagKey,
        defaultValue,
        flag.errorCode ?? ErrorCode.GENERAL,
        flag.errorMessage ?? 'no variant',
      )
    }
    const tripped = variant !== flag.variant
    const value = tripped ? (flag.rollout?.controlValue as JsonValue) : flag.value
    if (typed && !sameType(value, defaultValue)) {
      return errorDetails(
        flagKey,
        defaultValue,
        ErrorCode.TYPE_MISMATCH,
        `flag "${flagKey}" serves ${describeType(value)}, the default is ${describeType(defaultValue)}`,
      )
    }
    if (count) this.signals.expose(flagKey, variant, flag.rollout !== undefined)
    if (tripped) return { flagKey, value, variant, reason: Reason.KILLED }
    const details: EvaluationDetails<JsonValue | undefined> = {
      flagKey,
      value,
      variant,
      reason: flag.reason,
    }
    if (flag.ruleIndex !== undefined) details.ruleIndex = flag.ruleIndex
    if (flag.errorCode !== undefined) details.errorCode = flag.errorCode
    if (flag.errorMessage !== undefined) details.errorMessage = flag.errorMessage
    return details
  }

  #settle(key: string, ok: boolean, latencyMs: number | undefined, error: unknown): void {
    const entry = this.#entries.get(key)
    const variant = entry === undefined ? undefined : served(entry)
    if (entry === undefined || variant === undefined) return
    try {
      const { flag, breaker } = entry
      const { rollout } = flag
      this.signals.outcome(key, variant, rollout, ok, latencyMs, rollout?.unitHash)
      if (breaker !== undefined && variant === rollout?.treatment && breaker.record(ok)) {
        this.#trip(key, entry, error)
      }
    } catch (failure) {
      this.#logger.error('[floodgate] counting an outcome failed', failure)
    }
  }

  #trip(key: string, entry: RemoteEntry, lastError: unknown): void {
    const { flag, breaker } = entry
    const rollout = flag.rollout
    if (rollout === undefined || breaker === undefined) return
    this.signals.markTripped(key)
    this.#revisions.touch([key])
    const version = this.#evaluation?.version ?? 0
    this.#events.emit({
      type: 'localGuardTrip',
      flagKey: key,
      flagVersion: flag.version,
      rolloutId: rollout.id,
      treatment: rollout.treatment,
      control: rollout.control,
      errors: breaker.errors,
      successes: breaker.successes,
      lastError,
    })
    this.#events.emit({ type: 'change', version, flagKeys: [key] })
  }

  #becomeReady(): void {
    const version = this.#evaluation?.version ?? 0
    const previous = this.#status
    if (previous.status === 'ready' && previous.version === version) return
    this.#status = { status: 'ready', version }
    if (previous.status !== 'ready') this.#events.emit({ type: 'ready', version })
  }
}

/** The variant an entry serves: the evaluated one, or control once its local guard tripped on treatment. */
function served({ flag, breaker }: RemoteEntry): string | undefined {
  const rollout = flag.rollout
  return rollout !== undefined && breaker?.tripped === true && flag.variant === rollout.treatment
    ? rollout.control
    : flag.variant
}

function decode(input: unknown, what: string): unknown {
  if (typeof input !== 'string') return input
  try {
    return JSON.parse(input)
  } catch {
    throw new SchemaError(what, [{ path: '/', message: 'is not JSON' }])
  }
}
