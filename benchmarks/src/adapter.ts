import type { BenchUser, FlagName } from './population'

/**
 * What the harness needs from one SDK. Each file in `src/adapters/` exports
 * `adapter: Adapter<C>`; the runner measures every adapter file it finds, so
 * adding an SDK is adding one file.
 *
 * `C` is the SDK's own evaluation context. `context` converts each of the
 * precomputed users once, before any timing, so the timed loop measures the
 * SDK's evaluation call and nothing else.
 *
 * `src/adapters/floodgate.ts` is the shortest example.
 */
export interface Adapter<C> {
  /** Product name shown in the tables, e.g. `Unleash`. */
  name: string
  /** The npm package measured; its installed version goes into the tables. */
  packageName: string
  /** Converts a benchmark user into the SDK's context; called before timing starts. */
  context(user: BenchUser): C
  /**
   * Constructs the SDK's client from the files in `definitions/` and resolves
   * once it can evaluate. Must not touch the network. Cold start times this
   * plus the first evaluation.
   */
  start(): Promise<Evaluator<C>>
}

/** A started client, as the harness calls it. */
export type Evaluator<C> = SyncEvaluator<C> | AsyncEvaluator<C>

interface EvaluatorBase {
  /** Stops the client's timers and releases it. */
  close(): void | Promise<void>
}

/** An SDK whose boolean evaluation returns the answer synchronously. */
export interface SyncEvaluator<C> extends EvaluatorBase {
  mode: 'sync'
  /** Evaluates one flag for one context with the SDK's documented boolean call. */
  isEnabled(flag: FlagName, context: C): boolean
}

/** An SDK whose only evaluation call returns a promise; the harness awaits each one. */
export interface AsyncEvaluator<C> extends EvaluatorBase {
  mode: 'async'
  /** Evaluates one flag for one context with the SDK's documented boolean call. */
  isEnabled(flag: FlagName, context: C): Promise<boolean>
}
