import type { FlagSdkError } from './errors'
import type { ErrorCode, Reason } from './reasons'
import type { JsonValue, Snapshot } from './schemas'

/** A scalar a context attribute may hold. */
export type ContextScalar = string | number | boolean

/**
 * A context attribute value. `undefined` means "not set here" (a lower layer
 * of the context may supply it); `null` means "explicitly absent". A list
 * matches a condition when any of its items does.
 */
export type ContextValue = ContextScalar | readonly ContextScalar[] | null | undefined

/**
 * Who or what a flag is evaluated for. Splits hash `userId` unless they name
 * another attribute in `by` (`instanceId` gives a canary over processes).
 *
 * @example
 * const context: Context = { userId: 'user-1', country: 'NZ', plan: 'pro' }
 */
export interface Context {
  /** The user; the default unit of a split. */
  userId?: string | number | null
  /** A browser or device session, for splits that must hold before sign-in. */
  sessionId?: string | number | null
  /** The process or host, for rolling-deployment style canaries. */
  instanceId?: string | number | null
  [attribute: string]: ContextValue
}

/**
 * The outcome of one evaluation, in OpenFeature's vocabulary.
 *
 * `reason` is `ERROR` whenever `errorCode` is set. When an `ERROR` detail has a
 * `variant`, the flag itself chose a safe variant and `value` is that
 * variant's value (a split whose `by` attribute is missing serves the flag's
 * `offVariant`); without a `variant`, `value` is the caller's default.
 */
export interface EvaluationDetails<T = JsonValue> {
  /** The flag asked for. */
  flagKey: string
  /** What the application should use. */
  value: T
  /** The variant served, when the flag chose one. */
  variant?: string
  /** Why `value` is what it is. */
  reason: Reason
  /** The index of the rule that matched, with reason `TARGETING_MATCH`. */
  ruleIndex?: number
  /** What went wrong, with reason `ERROR`. */
  errorCode?: ErrorCode
  /** A human-readable account of `errorCode`. */
  errorMessage?: string
}

/** Where the client stands; a new object only when the status changes. */
export type ClientStatus =
  /** No snapshot yet; evaluations return the caller's default (`PROVIDER_NOT_READY`). */
  | { status: 'loading' }
  /** Serving a current snapshot. */
  | { status: 'ready'; version: number }
  /** Serving a snapshot known or feared to be out of date (a version gap, a lost stream). */
  | { status: 'stale'; version: number; error?: FlagSdkError }
  /** No snapshot, and getting one failed. */
  | { status: 'error'; error: FlagSdkError }

/** What `setSnapshot` did. */
export type SetSnapshotResult =
  /** The snapshot is now held; `flagKeys` lists the flags whose evaluation may differ. */
  | { status: 'applied'; version: number; flagKeys: string[] }
  /** The snapshot has the version already held: nothing changed. */
  | { status: 'unchanged'; version: number }
  /** The snapshot is older than the one held (`version`) and was ignored. */
  | { status: 'stale'; version: number; got: number }

/** Options of `setSnapshot`. */
export interface SetSnapshotOptions {
  /**
   * Serve the snapshot even when its version is not newer than the one held:
   * it is the server's word on what is current (a stream's `put`, or a poll
   * after the server's store was reset and its versions restarted). Flags
   * equal to the ones held still keep their objects and are not reported as
   * changed. Default: `false`.
   */
  replace?: boolean
}

/** What `applyPatch` did. */
export type ApplyPatchResult =
  /** The patch is applied; `version` is the snapshot's new version. */
  | { status: 'applied'; version: number; flagKeys: string[] }
  /** The patch is not newer than the snapshot held (a replay); ignored. */
  | { status: 'stale'; version: number; got: number }
  /**
   * The patch follows a version other than the one held (`expected`; `null`
   * without a snapshot): a change was missed. Nothing was applied; refetch
   * the snapshot.
   */
  | { status: 'gap'; expected: number | null; got: number }

/** Events of a `FlagClient`, told apart by `type`. */
export type FlagClientEvent =
  /** The client became ready: it holds a current snapshot. */
  | { type: 'ready'; version: number }
  /** Evaluations of `flagKeys` may now differ (new configuration, or a local guard trip). */
  | { type: 'change'; version: number; flagKeys: string[] }
  /** The snapshot held may be out of date; the transport should refetch. */
  | {
      type: 'stale'
      version: number
      cause: 'gap' | 'transport'
      error?: FlagSdkError
    }
  /** Something failed: a transport error reported to the client, or a listener that threw. */
  | { type: 'error'; error: FlagSdkError }
  /**
   * This process's local guard stopped serving a rollout's treatment: it
   * serves `control` instead until a newer version of the flag arrives.
   */
  | {
      type: 'localGuardTrip'
      flagKey: string
      flagVersion: number
      rolloutId: string
      treatment: string
      control: string
      errors: number
      successes: number
      /** The error whose report tripped the guard, as given to `recordError`. */
      lastError: unknown
    }

/** The `type`s of `FlagClientEvent`. */
export type FlagClientEventType = FlagClientEvent['type']

/** Where the client reports what it cannot throw (listeners that throw). */
export interface Logger {
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

/** Who sends a signals batch. */
export interface SdkInfo {
  /** The SDK's package name. */
  name: string
  /** The SDK's version. */
  version: string
  /** This process or page, unique across the fleet. */
  instanceId: string
}

/** Options of `SignalsAggregator`. */
export interface SignalsAggregatorOptions {
  /** Who sends the batches. */
  sdk: SdkInfo
  /** Wall clock in epoch milliseconds, for batch windows. Default: `Date.now`. */
  now?: () => number
  /**
   * Errors of a rollout's treatment within one window that make the
   * aggregator fire `urgent` (once per flag per window). Default: 10.
   */
  urgentErrors?: number
  /** Where listener failures are logged. Default: `console` when there is one. */
  logger?: Logger
}

/** Events of a `SignalsAggregator`. */
export type SignalsEvent = {
  type: 'urgent'
  flagKey: string
  /** `localGuardTrip`: this process's local guard tripped; `errors`: the treatment's errors crossed `urgentErrors`. */
  cause: 'localGuardTrip' | 'errors'
}

/** Options of `FlagClient`. Every option is optional. */
export interface FlagClientOptions {
  /** A snapshot to serve from the start (bootstrap or cache), trusted as parsed. Default: none (`loading`). */
  snapshot?: Snapshot
  /** Attributes under every evaluation (the lowest layer). Default: none. */
  context?: Context
  /**
   * Supplies the ambient context (e.g. the current request's, from
   * `AsyncLocalStorage`), read on every evaluation between the defaults and
   * the call's context. Default: none.
   */
  contextProvider?: () => Context | undefined
  /** Names the sender of signals batches. Default: `@floodgate/core`, its version, a random instance id. */
  sdk?: Partial<SdkInfo>
  /** Where listener failures are logged. Default: `console` when there is one. */
  logger?: Logger
  /** Wall clock in epoch milliseconds, for signals windows. Default: `Date.now`. */
  now?: () => number
  /** High-resolution clock in milliseconds, for `guard` latencies. Default: `performance.now` when there is one, else `Date.now`. */
  timer?: () => number
  /** Treatment errors in one window that fire the signals' `urgent` event. Default: 10. */
  urgentErrors?: number
}

/** Outcome options of `recordSuccess` / `recordError`. */
export interface OutcomeOptions {
  /** How long the guarded call took, for the latency histogram. */
  latencyMs?: number
}

/**
 * What an adapter (React's hooks, an OpenFeature provider) needs of a flag
 * client. A `FlagClient` (it evaluates locally, for any context) and a
 * `RemoteFlagClient` (the server evaluates, for its one context) are both
 * one, so an adapter written against it serves either.
 */
export interface FlagReader {
  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: (event: FlagClientEvent) => void): () => void
  /** Where the client stands; the same object until the status changes. */
  getStatus(): ClientStatus
  /** Changes whenever what flag `key` serves may change, and only then. */
  getFlagRevision(key: string): number
  /** The details of flag `key`, counting no exposure. */
  peekDetails(
    key: string,
    defaultValue?: JsonValue,
    context?: Context,
  ): EvaluationDetails<JsonValue | undefined>
  /** Counts one exposure of a variant. */
  recordExposure(key: string, variant: string): void
  /** Counts a success of the variant of `key` served. */
  recordSuccess(key: string, context?: Context, options?: OutcomeOptions): void
  /** Counts an error of the variant of `key` served (which feeds the local guard). */
  recordError(key: string, error?: unknown, context?: Context, options?: OutcomeOptions): void
  /** Runs `fn` and counts its outcome and latency for the variant of `key` served. */
  guard<R>(key: string, context: Context | undefined, fn: () => R): R
  /**
   * Only on a client the server evaluates for one context: makes `context`
   * that context. A per-call `context` is then not supported, and adapters
   * call this instead.
   */
  identify?(context: Context): Promise<void>
}
