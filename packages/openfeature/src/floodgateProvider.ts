import { type ClientStatus, type FlagClient, FlagSdkError, type Logger } from '@floodgate/core'
import {
  type EvaluationContext,
  InvalidContextError,
  type JsonValue,
  ErrorCode as OpenFeatureErrorCode,
  ProviderFatalError,
  type ResolutionDetails,
  type TrackingEventDetails,
} from '@openfeature/core'
import { toFloodgateContext } from './evaluationContext'
import { type BridgedEvent, type BridgedState, EventBridge } from './eventBridge'
import { initialState } from './initialState'
import { errorResolution, toResolution } from './resolution'
import { checkTrackedEvents, type TrackedEvent, toTrackedSignal } from './trackedEvent'

/** Options both providers share. */
export interface ProviderOptions {
  /**
   * The Floodgate context attribute OpenFeature's `targetingKey` fills: the
   * unit a split hashes. Default `'userId'`.
   */
  targetingKeyAttribute?: string
  /**
   * Tracking events that report an outcome of flagged code, by event name:
   * the flags they are about and whether they report a success or an error.
   * `track(name, context, { flagKey, outcome, latencyMs })` can say the same
   * per call. Default: none (only calls that name a `flagKey` count).
   *
   * @example
   * trackedEvents: { 'checkout-failed': { flags: ['new-checkout'], outcome: 'error' } }
   */
  trackedEvents?: Record<string, TrackedEvent>
  /** Where unusable `track()` calls are reported. Default: `console`. */
  logger?: Logger
}

/**
 * What the server and web providers share: evaluation through a Floodgate
 * client, `initialize` / `onClose`, `track()` and the event bridge. Each
 * provider adds its SDK's event emitter and resolver signatures.
 */
export abstract class FloodgateProvider<C extends FlagClient> {
  /** The Floodgate client behind the provider, for what OpenFeature has no words for (`guard`, `allFlags`). */
  readonly client: C
  /** Forwards the client's events to the SDK once `initialize` is settled. */
  protected readonly bridge: EventBridge
  private readonly targetingKeyAttribute: string
  private readonly trackedEvents: Record<string, TrackedEvent>
  private readonly logger: Logger
  private readonly warned = new Set<string>()
  private closed = false
  /** Why `initialize` failed for good; every evaluation then answers `PROVIDER_FATAL`. */
  private fatal: ProviderFatalError | undefined

  /** `makeClient` runs once the provider's own options are checked, so a refused option starts no client. */
  protected constructor(makeClient: () => C, options: ProviderOptions) {
    const attribute = options.targetingKeyAttribute ?? 'userId'
    if (typeof attribute !== 'string' || attribute.length === 0) {
      throw new FlagSdkError(
        'invalid_options',
        'Floodgate provider: targetingKeyAttribute must be a non-empty attribute name',
      )
    }
    this.targetingKeyAttribute = attribute
    this.trackedEvents = checkTrackedEvents(options.trackedEvents)
    this.logger = options.logger ?? console
    this.client = makeClient()
    this.bridge = new EventBridge(this.client, (event) => this.raise(event))
  }

  /** Starts the client and waits for its first sync with the server; resolves with its status. */
  protected abstract connect(): Promise<ClientStatus>

  /** Stops the client for good. */
  protected abstract disconnect(): Promise<void>

  /** Emits a provider event through the SDK's emitter. */
  protected abstract raise(event: BridgedEvent): void

  /**
   * Called by the SDK when the provider is set: resolves once the client
   * holds the server's configuration (`PROVIDER_READY`), or a cached one it
   * could not confirm (`PROVIDER_READY`, then `PROVIDER_STALE`). Rejects
   * with nothing to serve: `PROVIDER_ERROR` (`FATAL` when the server refused
   * the token, which also stops the client; every evaluation then answers
   * `PROVIDER_FATAL` whatever status the SDK shows, since the web SDK
   * resets it to `READY` on a context change).
   */
  async initialize(): Promise<void> {
    if (this.closed) {
      throw new ProviderFatalError('Floodgate: this provider is closed; create a new one')
    }
    let state: BridgedState = 'error'
    let message = ''
    try {
      state = initialState(await this.connect())
    } catch (error) {
      message = messageOf(error)
      if (error instanceof ProviderFatalError) {
        this.fatal = error
        await this.onClose()
      }
      throw error
    } finally {
      if (!this.closed) this.bridge.start(state, message)
    }
  }

  /** Called by the SDK when the provider is replaced or OpenFeature closes: stops the client, flushing its signals. */
  async onClose(): Promise<void> {
    this.closed = true
    this.bridge.stop()
    await this.disconnect()
  }

  /**
   * Counts a tracking event as a success or an error (with its latency) of
   * the variant each flag it is about served to `context`, in the health
   * signals a rollout's controller and local guard read. Which flags, and
   * which outcome: `details.flagKey`, `details.outcome` (`'success'` or
   * `'error'`), `details.latencyMs`, else the event's `trackedEvents` entry.
   * `details.value` is not a latency: OpenFeature uses it for amounts. An
   * event about no flag counts nothing; an unusable one is logged once.
   */
  track(
    trackingEventName: string,
    context: EvaluationContext,
    trackingEventDetails: TrackingEventDetails,
  ): void {
    const signal = toTrackedSignal(
      trackingEventName,
      trackingEventDetails ?? {},
      this.trackedEvents,
    )
    if (!signal.success) {
      this.warnOnce(trackingEventName, signal.error)
      return
    }
    if (signal.data === undefined) return
    let converted: ReturnType<typeof toFloodgateContext>
    try {
      converted = toFloodgateContext(context ?? {}, this.targetingKeyAttribute)
    } catch (error) {
      this.warnOnce(trackingEventName, `the context cannot be read (${messageOf(error)})`)
      return
    }
    if (!converted.success) {
      this.warnOnce(trackingEventName, converted.error)
      return
    }
    const { flagKeys, ok, latencyMs } = signal.data
    const options = latencyMs === undefined ? undefined : { latencyMs }
    const flags = this.client.getSnapshot()?.flags
    for (const key of flagKeys) {
      if (flags === undefined || !Object.hasOwn(flags, key)) {
        this.warnOnce(trackingEventName, `flag "${key}" is not in the snapshot; nothing counted`)
      } else if (ok) {
        this.client.recordSuccess(key, converted.data, options)
      } else {
        const error = new Error(`tracked event "${trackingEventName}"`)
        this.client.recordError(key, error, converted.data, options)
      }
    }
  }

  /**
   * Throws an `InvalidContextError` naming the problem when `context` cannot
   * be Floodgate's, and the `ProviderFatalError` of a refused token.
   */
  protected checkContext(context: EvaluationContext): void {
    if (this.fatal !== undefined) throw this.fatal
    const converted = toFloodgateContext(context, this.targetingKeyAttribute)
    if (!converted.success) {
      throw new InvalidContextError(`Floodgate: invalid context: ${converted.error}`)
    }
  }

  /** Evaluates `flagKey` for an OpenFeature context. Never throws. */
  protected resolve<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    if (this.fatal !== undefined) {
      return errorResolution(defaultValue, OpenFeatureErrorCode.PROVIDER_FATAL, this.fatal.message)
    }
    try {
      const converted = toFloodgateContext(context ?? {}, this.targetingKeyAttribute)
      if (!converted.success) {
        return errorResolution(
          defaultValue,
          OpenFeatureErrorCode.INVALID_CONTEXT,
          `invalid context: ${converted.error}`,
        )
      }
      const details = this.client.getDetails(flagKey, defaultValue, converted.data)
      return toResolution(details, this.client) as ResolutionDetails<T>
    } catch (error) {
      return errorResolution(defaultValue, OpenFeatureErrorCode.GENERAL, messageOf(error))
    }
  }

  private warnOnce(eventName: string, problem: string): void {
    const message = `[floodgate] track("${eventName}"): ${problem}`
    if (this.warned.has(message) || this.warned.size >= MAX_WARNINGS) return
    this.warned.add(message)
    this.logger.warn(message)
  }
}

/** Distinct `track()` problems reported; beyond them the provider stays quiet rather than grow. */
const MAX_WARNINGS = 100

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
