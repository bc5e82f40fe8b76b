import { clientEvents } from './clientEvents'
import { toUnit } from './coercion'
import { CompiledFlag, newResolution } from './compiledFlag'
import { ContextLayers } from './contextLayers'
import { defaultLogger } from './defaultLogger'
import { FlagSdkError, SchemaError } from './errors'
import { detailsOf, errorDetails, messageOf } from './evaluate'
import { add, type FlagCounters } from './flagCounters'
import { FlagRevisions } from './flagRevisions'
import { defaultTimer, guardedCall } from './guardedCall'
import { jsonEqual } from './jsonEqual'
import { LocalGuardBreaker } from './localGuardBreaker'
import { ErrorCode, Reason } from './reasons'
import type { SafeEmitter } from './safeEmitter'
import type { JsonValue, Segment, Snapshot, SnapshotFlag, StreamPatch } from './schemas'
import { sdkInfo } from './sdkInfo'
import { SegmentTable } from './segmentTable'
import { SignalsAggregator } from './signalsAggregator'
import { validateSnapshot, validateStreamPatch } from './snapshotValidator'
import type {
  ApplyPatchResult,
  ClientStatus,
  Context,
  EvaluationDetails,
  FlagClientEvent,
  FlagClientEventType,
  FlagClientOptions,
  Logger,
  OutcomeOptions,
  SetSnapshotOptions,
  SetSnapshotResult,
} from './types'
import { unitHash } from './unitHash'
import { describeType, sameType } from './valueType'

/** One flag of the snapshot as the client serves it. */
interface FlagEntry {
  readonly flag: CompiledFlag
  readonly counters: FlagCounters
  readonly breaker: LocalGuardBreaker | undefined
}

/** The reusable objects of one evaluation. */
class Scratch {
  readonly layers = new ContextLayers()
  readonly out = newResolution()
}

/** Where an outcome is counted: the variant served to the context, and its unit. */
interface Attribution {
  readonly entry: FlagEntry
  readonly index: number
  readonly unit: string | undefined
}

const LOADING: ClientStatus = { status: 'loading' }

/**
 * The framework-free flag store every SDK wraps: it holds a snapshot,
 * evaluates flags locally, counts health signals per served variant, runs the
 * local guard, and tells listeners what changed. Getters never throw: on any
 * failure they return the caller's default (`false` for `isEnabled`).
 *
 * The transport feeds it with `setSnapshot` / `applyPatch` (or their
 * `…FromJson` forms for untrusted input) and drains `signals`; adapters read
 * `getSnapshot()` and `subscribe()`.
 *
 * @example
 * const client = new FlagClient({ snapshot, context: { appVersion: '2.3.0' } })
 * if (client.isEnabled('new-checkout', { userId })) renderNewCheckout()
 * const limit = client.getValue('upload-limit-mb', 10, { userId })
 * await client.guard('new-checkout', { userId }, () => checkout(cart))
 */
export class FlagClient {
  /** The health signals this client counts; the transport drains them. */
  readonly signals: SignalsAggregator
  private snapshot: Snapshot | undefined
  private status: ClientStatus = LOADING
  private entries = new Map<string, FlagEntry>()
  private readonly revisions = new FlagRevisions()
  private readonly segmentTable = new SegmentTable()
  private readonly scratch = new Scratch()
  /** The shared scratch is in use: an evaluation re-entered the client (a context getter). */
  private busy = false
  private readonly defaults: Context | undefined
  private readonly contextProvider: (() => Context | undefined) | undefined
  private readonly events: SafeEmitter<FlagClientEvent>
  private readonly logger: Logger
  private readonly timer: () => number

  constructor(options: FlagClientOptions = {}) {
    this.defaults = options.context
    this.contextProvider = options.contextProvider
    this.logger = options.logger ?? defaultLogger
    this.timer = options.timer ?? defaultTimer()
    this.signals = new SignalsAggregator({
      sdk: sdkInfo(options.sdk),
      now: options.now,
      urgentErrors: options.urgentErrors,
      logger: this.logger,
    })
    this.events = clientEvents(this.logger)
    if (options.snapshot !== undefined) this.setSnapshot(options.snapshot)
  }

  /**
   * Is the boolean flag `key` on for this context? `false` when the flag is
   * missing, not boolean, or anything fails. Counts an exposure of the
   * variant served. The fastest path: it builds no details and allocates
   * nothing.
   *
   * @example
   * if (client.isEnabled('new-checkout', { userId: 'user-1' })) { … }
   */
  isEnabled(key: string, context?: Context): boolean {
    const entry = this.entries.get(key)
    if (entry === undefined || !entry.flag.isBoolean) return false
    const fixed = entry.flag.fixedIndex
    if (fixed >= 0 && entry.breaker?.tripped !== true) {
      add(entry.counters.exposures, fixed, 1)
      return entry.flag.isOn[fixed] === true
    }
    const scratch = this.acquire()
    try {
      const index = this.pick(entry, context, scratch)
      if (index < 0) return false
      add(entry.counters.exposures, index, 1)
      return entry.flag.isOn[index] === true
    } catch {
      return false
    } finally {
      this.release(scratch)
    }
  }

  /**
   * The value of flag `key` for this context, or `defaultValue` when the flag
   * is missing, its value's type differs from the default's (a non-primitive
   * default accepts any object, array or null), or anything fails. The
   * return type follows the default (`boolean`, `string`, `number`, or the
   * JSON type given). Counts an exposure of the variant served.
   *
   * @example
   * const theme = client.getValue('theme', 'light', { userId }) // string
   */
  getValue(key: string, defaultValue: boolean, context?: Context): boolean
  getValue(key: string, defaultValue: string, context?: Context): string
  getValue(key: string, defaultValue: number, context?: Context): number
  getValue<T extends JsonValue>(key: string, defaultValue: T, context?: Context): T
  getValue<T extends JsonValue>(key: string, defaultValue: T, context?: Context): T {
    const entry = this.entries.get(key)
    if (entry === undefined) return defaultValue
    const scratch = this.acquire()
    try {
      const index = this.pick(entry, context, scratch)
      if (index < 0) return defaultValue
      const value = entry.flag.values[index]
      if (!sameType(value, defaultValue)) return defaultValue
      add(entry.counters.exposures, index, 1)
      return value as T
    } catch {
      return defaultValue
    } finally {
      this.release(scratch)
    }
  }

  /** The name of the variant served to this context; `undefined` when none is. Counts an exposure. */
  getVariant(key: string, context?: Context): string | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    const scratch = this.acquire()
    try {
      const index = this.pick(entry, context, scratch)
      if (index < 0) return undefined
      add(entry.counters.exposures, index, 1)
      return entry.flag.variantNames[index]
    } catch {
      return undefined
    } finally {
      this.release(scratch)
    }
  }

  /**
   * The full evaluation details of flag `key`: value, variant, reason, rule
   * index, error code. With a default, its type is checked as in `getValue`
   * and errors return it; without one, errors return `value: undefined`.
   * Counts an exposure of the variant served.
   *
   * @example
   * const { value, reason, errorCode } = client.getDetails('new-checkout', false, { userId })
   */
  getDetails(
    key: string,
    defaultValue?: undefined,
    context?: Context,
  ): EvaluationDetails<JsonValue | undefined>
  getDetails(key: string, defaultValue: boolean, context?: Context): EvaluationDetails<boolean>
  getDetails(key: string, defaultValue: string, context?: Context): EvaluationDetails<string>
  getDetails(key: string, defaultValue: number, context?: Context): EvaluationDetails<number>
  getDetails<T extends JsonValue>(
    key: string,
    defaultValue: T,
    context?: Context,
  ): EvaluationDetails<T>
  getDetails<T extends JsonValue>(
    key: string,
    defaultValue?: T,
    context?: Context,
  ): EvaluationDetails<JsonValue | undefined> {
    return this.details(key, defaultValue, context, defaultValue !== undefined, true)
  }

  /**
   * The details `getDetails` would give, counting no exposure: for adapters
   * that evaluate while rendering, where a render may be repeated or thrown
   * away, and count the exposure with `recordExposure` once it is shown.
   */
  peekDetails(
    key: string,
    defaultValue?: JsonValue,
    context?: Context,
  ): EvaluationDetails<JsonValue | undefined> {
    return this.details(key, defaultValue, context, defaultValue !== undefined, false)
  }

  /**
   * The details of every flag in the snapshot for this context (for
   * bootstrapping a browser or debugging). Counts no exposures: listing is
   * not using.
   */
  allFlags(context?: Context): Record<string, EvaluationDetails<JsonValue | undefined>> {
    const all: [string, EvaluationDetails<JsonValue | undefined>][] = []
    for (const key of this.entries.keys()) {
      all.push([key, this.details(key, undefined, context, false, false)])
    }
    return Object.fromEntries(all)
  }

  /**
   * Counts one exposure of variant `variant` of flag `key`, as a getter does:
   * for adapters that evaluate with `peekDetails`. Nothing happens when the
   * flag or the variant is not held (any more).
   */
  recordExposure(key: string, variant: string): void {
    const entry = this.entries.get(key)
    const index = entry === undefined ? -1 : entry.flag.variantNames.indexOf(variant)
    if (entry !== undefined && index >= 0) add(entry.counters.exposures, index, 1)
  }

  /**
   * Counts a success of the variant of `key` served to this context, with
   * its latency when given.
   */
  recordSuccess(key: string, context?: Context, options?: OutcomeOptions): void {
    const attribution = this.attribute(key, context)
    if (attribution !== undefined) this.settle(attribution, true, options?.latencyMs, undefined)
  }

  /**
   * Counts an error of the variant of `key` served to this context, and the
   * context's unit among the window's distinct error units. The error itself
   * is not sent anywhere; it is named in the `localGuardTrip` event when this
   * error trips the local guard.
   */
  recordError(key: string, error?: unknown, context?: Context, options?: OutcomeOptions): void {
    const attribution = this.attribute(key, context)
    if (attribution !== undefined) this.settle(attribution, false, options?.latencyMs, error)
  }

  /**
   * Runs `fn` and counts its outcome and latency for the variant of `key`
   * served to this context (resolved when `fn` starts). Returns or throws
   * exactly what `fn` does: a synchronous function stays synchronous, and a
   * promise is returned as it is, its outcome counted when it settles. Counts
   * no exposure: the evaluation that chose the code path did.
   *
   * @example
   * const receipt = await client.guard('new-checkout', { userId }, () => newCheckout(cart))
   */
  guard<R>(key: string, context: Context | undefined, fn: () => R): R {
    const attribution = this.attribute(key, context)
    return guardedCall(
      fn,
      this.timer,
      attribution && ((ok, latencyMs, error) => this.settle(attribution, ok, latencyMs, error)),
    )
  }

  /**
   * The snapshot served now; the same object until the configuration
   * changes. A change builds a new snapshot that keeps the object of every
   * flag and segment that did not change, so an adapter can compare
   * `getSnapshot().flags[key]` by identity. `undefined` before the first.
   * Bound to the client: it can be passed around on its own.
   */
  readonly getSnapshot = (): Snapshot | undefined => this.snapshot

  /** Where the client stands; the same object until the status changes. Bound to the client. */
  readonly getStatus = (): ClientStatus => this.status

  /**
   * A number that changes whenever what flag `key` serves may change for
   * some context, and only then: when the first snapshot arrives (for every
   * key, held or not), and when a `change` event names the key (its
   * configuration, a segment it uses, its deletion, a local guard trip). An
   * adapter compares it to re-render only for the flags it reads; the flag's
   * object in `getSnapshot()` alone misses segment changes and local guard
   * trips. 0 before the first snapshot.
   *
   * @example
   * const revision = useSyncExternalStore(client.subscribe, () => client.getFlagRevision(key))
   */
  getFlagRevision(key: string): number {
    return this.revisions.get(key)
  }

  /**
   * Listens to one type of event; returns the function that stops listening.
   * A listener that throws is logged and reported as an `error` event; the
   * other listeners still run.
   */
  on<T extends FlagClientEventType>(
    type: T,
    listener: (event: Extract<FlagClientEvent, { type: T }>) => void,
  ): () => void {
    return this.events.on(type, listener)
  }

  /**
   * Listens to every event; returns the function that stops listening. Bound
   * to the client, so `useSyncExternalStore(client.subscribe, …)` works.
   */
  readonly subscribe = (listener: (event: FlagClientEvent) => void): (() => void) =>
    this.events.subscribe(listener)

  /**
   * Serves a snapshot that is already parsed (trusted: it is not validated
   * again; a malformed flag in it evaluates to `PARSE_ERROR`). A snapshot
   * older than the one held for the same environment is ignored, one with
   * the same version changes nothing. Flags and segments equal to the ones
   * held keep their objects. With `replace`, the snapshot is served whatever
   * its version (the server's own word on what is current, e.g. after its
   * store was reset). Throws a `FlagSdkError` (`PARSE_ERROR`) for something
   * that is not a snapshot at all, changing nothing.
   */
  setSnapshot(snapshot: Snapshot, options?: SetSnapshotOptions): SetSnapshotResult {
    if (
      typeof snapshot !== 'object' ||
      snapshot === null ||
      !Number.isInteger(snapshot.version) ||
      typeof snapshot.flags !== 'object' ||
      snapshot.flags === null
    ) {
      throw new FlagSdkError(ErrorCode.PARSE_ERROR, 'not a snapshot: use setSnapshotFromJson')
    }
    const held = this.snapshot
    if (
      held !== undefined &&
      held.environment === snapshot.environment &&
      options?.replace !== true
    ) {
      if (snapshot.version < held.version) {
        return { status: 'stale', version: held.version, got: snapshot.version }
      }
      if (snapshot.version === held.version) {
        this.becomeReady()
        return { status: 'unchanged', version: held.version }
      }
    }
    const segments = shareRecord(held?.segments, snapshot.segments ?? {})
    if (segments.changed.length > 0 || held === undefined)
      this.segmentTable.replace(segments.record)
    const flags: [string, SnapshotFlag][] = []
    const entries = new Map<string, FlagEntry>()
    const changed = new Set<string>()
    for (const [key, flag] of Object.entries(snapshot.flags)) {
      const old = held !== undefined ? ownValue(held.flags, key) : undefined
      const entry = this.entries.get(key)
      if (old !== undefined && entry !== undefined && jsonEqual(old, flag)) {
        flags.push([key, old])
        entries.set(key, entry)
      } else {
        flags.push([key, flag])
        entries.set(key, this.entryFor(key, flag, entry))
        changed.add(key)
      }
    }
    for (const key of this.entries.keys()) {
      if (!entries.has(key)) {
        changed.add(key)
        this.signals.untrack(key)
      }
    }
    for (const [key, entry] of entries) {
      if (segments.changed.some((s) => entry.flag.segmentKeys.has(s))) changed.add(key)
    }
    if (
      held !== undefined &&
      changed.size === 0 &&
      segments.changed.length === 0 &&
      held.version === snapshot.version &&
      held.environment === snapshot.environment
    ) {
      this.becomeReady()
      return { status: 'unchanged', version: held.version }
    }
    this.entries = entries
    this.snapshot = {
      schemaVersion: snapshot.schemaVersion,
      environment: snapshot.environment,
      version: snapshot.version,
      flags: Object.fromEntries(flags),
      segments: segments.record,
    }
    const flagKeys = [...changed]
    if (held === undefined) this.revisions.first()
    else this.revisions.touch(flagKeys)
    this.becomeReady()
    if (held !== undefined && flagKeys.length > 0) {
      this.events.emit({ type: 'change', version: snapshot.version, flagKeys })
    }
    return { status: 'applied', version: snapshot.version, flagKeys }
  }

  /**
   * Parses untrusted input (a JSON string, or decoded JSON) as a snapshot
   * and serves it as `setSnapshot` does. Throws a `SchemaError` naming the
   * first problem's path when it is not a valid snapshot, changing nothing.
   */
  setSnapshotFromJson(input: unknown, options?: SetSnapshotOptions): SetSnapshotResult {
    const result = validateSnapshot(decodeJson(input, 'snapshot'))
    if (!result.success) throw new SchemaError('snapshot', result.issues)
    return this.setSnapshot(result.data, options)
  }

  /**
   * Applies one stream patch (already parsed). A patch not newer than the
   * snapshot is ignored (`stale`); a patch that follows another version than
   * the one held (`previousVersion`) is a `gap`: nothing changes, the status
   * becomes `stale`, and the transport should refetch the snapshot. The new
   * snapshot keeps the objects of everything the patch did not touch.
   */
  applyPatch(patch: StreamPatch): ApplyPatchResult {
    if (
      typeof patch !== 'object' ||
      patch === null ||
      (patch.type !== 'flag' && patch.type !== 'segment') ||
      !Number.isInteger(patch.version) ||
      !Number.isInteger(patch.previousVersion) ||
      typeof patch.key !== 'string' ||
      typeof (patch.type === 'flag' ? patch.flag : patch.segment) !== 'object'
    ) {
      throw new FlagSdkError(ErrorCode.PARSE_ERROR, 'not a stream patch: use applyPatchFromJson')
    }
    const held = this.snapshot
    if (held === undefined) return { status: 'gap', expected: null, got: patch.previousVersion }
    if (patch.version <= held.version) {
      return { status: 'stale', version: held.version, got: patch.version }
    }
    if (patch.previousVersion !== held.version) {
      this.becomeStale('gap')
      return { status: 'gap', expected: held.version, got: patch.previousVersion }
    }
    let { flags, segments } = held
    const changed: string[] = []
    if (patch.type === 'flag') {
      const old = ownValue(flags, patch.key)
      if (patch.flag === null) {
        if (old !== undefined) {
          flags = Object.fromEntries(Object.entries(flags).filter(([k]) => k !== patch.key))
          this.entries.delete(patch.key)
          this.signals.untrack(patch.key)
          changed.push(patch.key)
        }
      } else if (old === undefined || !jsonEqual(old, patch.flag)) {
        flags = { ...flags, [patch.key]: patch.flag }
        this.entries.set(
          patch.key,
          this.entryFor(patch.key, patch.flag, this.entries.get(patch.key)),
        )
        changed.push(patch.key)
      }
    } else {
      const old = ownValue(segments, patch.key)
      if (patch.segment === null ? old !== undefined : !jsonEqual(old, patch.segment)) {
        segments =
          patch.segment === null
            ? Object.fromEntries(Object.entries(segments).filter(([k]) => k !== patch.key))
            : { ...segments, [patch.key]: patch.segment }
        this.segmentTable.replace(segments)
        for (const [key, entry] of this.entries) {
          if (entry.flag.segmentKeys.has(patch.key)) changed.push(key)
        }
      }
    }
    this.snapshot = { ...held, version: patch.version, flags, segments }
    this.revisions.touch(changed)
    this.becomeReady()
    if (changed.length > 0) {
      this.events.emit({ type: 'change', version: patch.version, flagKeys: changed })
    }
    return { status: 'applied', version: patch.version, flagKeys: changed }
  }

  /**
   * Parses untrusted input (a JSON string, or decoded JSON) as a stream
   * patch and applies it. Throws a `SchemaError` when it is not a valid
   * patch, changing nothing.
   */
  applyPatchFromJson(input: unknown): ApplyPatchResult {
    const result = validateStreamPatch(decodeJson(input, 'stream patch'))
    if (!result.success) throw new SchemaError('stream patch', result.issues)
    return this.applyPatch(result.data)
  }

  /**
   * Reports a failure to get configuration (for the transport). The client
   * keeps serving what it holds: the status becomes `stale` with a snapshot,
   * `error` without one. Emits `error`.
   */
  reportError(error: unknown): void {
    const sdkError =
      error instanceof FlagSdkError
        ? error
        : new FlagSdkError(ErrorCode.GENERAL, messageOf(error), { cause: error })
    if (this.snapshot !== undefined) this.becomeStale('transport', sdkError)
    else this.status = { status: 'error', error: sdkError }
    this.events.emit({ type: 'error', error: sdkError })
  }

  private acquire(): Scratch {
    if (this.busy) return new Scratch()
    this.busy = true
    return this.scratch
  }

  private release(scratch: Scratch): void {
    scratch.layers.clear()
    if (scratch === this.scratch) this.busy = false
  }

  /** The variant index served to the context (defaults < ambient < call), local guard applied. */
  private pick(entry: FlagEntry, context: unknown, scratch: Scratch): number {
    const ambient = this.contextProvider === undefined ? undefined : this.contextProvider()
    scratch.layers.set(context, ambient, this.defaults)
    const index = entry.flag.resolve(scratch.layers, scratch.out)
    const breaker = entry.breaker
    if (breaker?.tripped && index === breaker.treatment) {
      scratch.out.reason = Reason.KILLED
      return breaker.control
    }
    return index
  }

  private details<T>(
    key: string,
    defaultValue: T,
    context: Context | undefined,
    typed: boolean,
    count: boolean,
  ): EvaluationDetails<JsonValue | T> {
    const flagKey = typeof key === 'string' ? key : ''
    if (this.snapshot === undefined) {
      return errorDetails(
        flagKey,
        defaultValue,
        ErrorCode.PROVIDER_NOT_READY,
        'the client has no snapshot yet',
      )
    }
    const entry = this.entries.get(key)
    if (entry === undefined) {
      return errorDetails(
        flagKey,
        defaultValue,
        ErrorCode.FLAG_NOT_FOUND,
        `flag "${flagKey}" is not in the snapshot`,
      )
    }
    const scratch = this.acquire()
    try {
      const index = this.pick(entry, context, scratch)
      if (index >= 0 && typed && !sameType(entry.flag.values[index], defaultValue)) {
        return errorDetails(
          flagKey,
          defaultValue,
          ErrorCode.TYPE_MISMATCH,
          `flag "${flagKey}" serves ${describeType(entry.flag.values[index])}, the default is ${describeType(defaultValue)}`,
        )
      }
      if (index >= 0 && count) add(entry.counters.exposures, index, 1)
      return detailsOf(entry.flag, index, scratch.out, defaultValue)
    } catch (error) {
      return errorDetails(flagKey, defaultValue, ErrorCode.GENERAL, messageOf(error))
    } finally {
      this.release(scratch)
    }
  }

  private attribute(key: string, context: Context | undefined): Attribution | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    const scratch = this.acquire()
    try {
      const index = this.pick(entry, context, scratch)
      if (index < 0) return undefined
      const unit = toUnit(scratch.layers.get(scratch.out.by ?? entry.flag.unitAttribute))
      return { entry, index, unit }
    } catch {
      return undefined
    } finally {
      this.release(scratch)
    }
  }

  private settle(
    attribution: Attribution,
    ok: boolean,
    latencyMs: number | undefined,
    error: unknown,
  ): void {
    const { entry, index, unit } = attribution
    try {
      this.signals.recordOutcome(
        entry.counters,
        index,
        ok,
        latencyMs,
        unit === undefined ? undefined : unitHash(unit),
      )
      const breaker = entry.breaker
      if (breaker !== undefined && index === breaker.treatment && breaker.record(ok)) {
        this.trip(entry, breaker, error)
      }
    } catch (failure) {
      this.logger.error('[floodgate] counting an outcome failed', failure)
    }
  }

  private trip(entry: FlagEntry, breaker: LocalGuardBreaker, lastError: unknown): void {
    const { flag } = entry
    this.signals.markTripped(flag.key)
    this.revisions.touch([flag.key])
    this.events.emit({
      type: 'localGuardTrip',
      flagKey: flag.key,
      flagVersion: flag.version,
      rolloutId: flag.rollout?.id ?? '',
      treatment: flag.variantNames[breaker.treatment] as string,
      control: flag.variantNames[breaker.control] as string,
      errors: breaker.errors,
      successes: breaker.successes,
      lastError,
    })
    this.events.emit({
      type: 'change',
      version: this.snapshot?.version ?? 0,
      flagKeys: [flag.key],
    })
  }

  /**
   * Compiles a flag and attaches its counters and local guard. The guard of
   * the previous entry carries over (a trip holds) unless this is a newer
   * version of the flag or another rollout.
   */
  private entryFor(key: string, flag: SnapshotFlag, previous: FlagEntry | undefined): FlagEntry {
    const compiled = new CompiledFlag(flag, this.segmentTable, key)
    const rollout = compiled.rollout
    const counters = this.signals.track(key, compiled.variantNames, rollout?.treatment ?? -1)
    let breaker: LocalGuardBreaker | undefined
    if (rollout?.localGuard !== undefined) {
      const kept = previous?.breaker
      breaker =
        kept !== undefined &&
        previous !== undefined &&
        compiled.version <= previous.flag.version &&
        previous.flag.rollout?.id === rollout.id &&
        kept.treatment === rollout.treatment &&
        kept.control === rollout.control
          ? kept
          : new LocalGuardBreaker(
              rollout.localGuard.minErrors,
              rollout.localGuard.maxErrorRate,
              rollout.treatment,
              rollout.control,
            )
    }
    return { flag: compiled, counters, breaker }
  }

  /** Gives the flags of a change one new revision, before listeners hear of it. */
  private becomeReady(): void {
    const version = this.snapshot?.version ?? 0
    const previous = this.status
    if (previous.status === 'ready' && previous.version === version) return
    this.status = { status: 'ready', version }
    if (previous.status !== 'ready') this.events.emit({ type: 'ready', version })
  }

  private becomeStale(cause: 'gap' | 'transport', error?: FlagSdkError): void {
    const version = this.snapshot?.version ?? 0
    this.status =
      error === undefined ? { status: 'stale', version } : { status: 'stale', version, error }
    this.events.emit(
      error === undefined
        ? { type: 'stale', version, cause }
        : { type: 'stale', version, cause, error },
    )
  }
}

function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/**
 * `next` with every entry equal to one in `previous` replaced by the previous
 * object, and the keys that were added, changed or removed.
 */
function shareRecord(
  previous: Readonly<Record<string, Segment>> | undefined,
  next: Readonly<Record<string, Segment>>,
): { record: Readonly<Record<string, Segment>>; changed: string[] } {
  const changed: string[] = []
  const entries = Object.entries(next).map(([key, value]): [string, Segment] => {
    const old = previous !== undefined ? ownValue(previous, key) : undefined
    if (old !== undefined && jsonEqual(old, value)) return [key, old]
    changed.push(key)
    return [key, value]
  })
  if (previous !== undefined) {
    for (const key of Object.keys(previous)) if (!Object.hasOwn(next, key)) changed.push(key)
    if (changed.length === 0) return { record: previous, changed }
  }
  return { record: Object.fromEntries(entries), changed }
}

/** A JSON string decoded; anything else as it is. Invalid JSON is a `SchemaError` at the root. */
function decodeJson(input: unknown, what: string): unknown {
  if (typeof input !== 'string') return input
  try {
    return JSON.parse(input)
  } catch (error) {
    throw new SchemaError(what, [{ path: '/', message: `not JSON (${messageOf(error)})` }], {
      cause: error,
    })
  }
}
