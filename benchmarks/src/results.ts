import type { BundleSize } from './bundles/bundleSize'
import type { Machine } from './machine'
import type { FlagName } from './population'
import type { CheckedPropagation } from './propagation'
import type { ShareCounts } from './shares'

/** One flag measured in one process. */
export interface FlagMeasurement {
  flag: FlagName
  /** Evaluations before the timed pass (on the first users). */
  warmupEvaluations: number
  /** Evaluations in the timed pass: one per user, all users unless the pass ran out of time. */
  evaluations: number
  /** Time spent evaluating in the timed pass divided by its evaluations. */
  nsPerOp: number
  /** Heap bytes allocated per evaluation (young generation, no GC inside the window). */
  allocatedBytesPerOp: number
  /** Heap still in use after a full GC, per evaluation of the timed pass: what the SDK keeps. */
  retainedBytesPerOp: number
  counts: ShareCounts
}

/** Everything one evaluation process reports. */
export interface EvaluationRun {
  adapter: string
  name: string
  packageName: string
  version: string
  mode: 'sync' | 'async'
  flags: FlagMeasurement[]
  /** RSS after the users and contexts exist and a full GC, before the SDK starts. */
  baselineRssBytes: number
  /** The process's peak RSS (`process.resourceUsage().maxRSS`). */
  peakRssBytes: number
}

/** One cold start, in a fresh process. */
export interface ColdStartRun {
  adapter: string
  name: string
  packageName: string
  version: string
  /** Loading the SDK's modules. */
  importMs: number
  /** From constructing the client on local definitions until it can evaluate. */
  startMs: number
  /** The first evaluation. */
  firstEvaluationMs: number
}

/** What a worker sends its parent: a result, or why it failed. */
export type WorkerMessage<T> = { ok: true; result: T } | { ok: false; error: string }

/** One flag of one SDK, over all rounds. */
export interface FlagSummary {
  /** Median over rounds. */
  nsPerOp: number
  /** Every round's figure, in run order. */
  nsPerOpRuns: number[]
  allocatedBytesPerOp: number
  retainedBytesPerOp: number
  /** Enabled share of the last round (every round was checked). */
  enabledShare: number
  /** The fewest users a timed pass covered (fewer than all only when it hit its time budget). */
  evaluations: number
}

/** One SDK's evaluation figures: medians over rounds. */
export interface EvaluationSummary {
  adapter: string
  name: string
  packageName: string
  version: string
  mode: 'sync' | 'async'
  flags: Record<FlagName, FlagSummary>
  peakRssBytes: number
  baselineRssBytes: number
}

/** One SDK's cold start: medians over fresh processes. */
export interface ColdStartSummary {
  adapter: string
  name: string
  packageName: string
  version: string
  importMs: number
  startMs: number
  firstEvaluationMs: number
  /** Construction to first evaluation: `startMs + firstEvaluationMs`, median of the per-run sums. */
  readyMs: number
  runs: number
}

/**
 * The push benchmark's setups: each SDK whose default is a stream that runs
 * offline, on a minimal endpoint of its own protocol, and Floodgate's SDK on
 * the real Floodgate server too.
 */
export const PUSH_RIG_SDKS = {
  floodgate: 'floodgate',
  'floodgate-server': 'floodgate',
  launchdarkly: 'launchdarkly',
} as const
export type PushRigId = keyof typeof PUSH_RIG_SDKS

/** One setup's push figures, from one process: a local server and its streaming clients. */
export interface PushRun {
  rig: PushRigId
  /** The adapter id of the SDK measured (what `--only` selects). */
  sdk: string
  name: string
  packageName: string
  version: string
  /** What a change went through on the server side. */
  serverSide: string
  clients: number
  changes: number
  /** Per change: ms from the change request until the last client served it. */
  allMs: number[]
  /** Per change and client: ms until that client served it. */
  eachMs: number[]
}

/** How the suite was run. */
export interface SuiteOptions {
  rounds: number
  users: number
  warmup: number
  warmupMs: number
  maxPassMs: number
  coldRuns: number
  /** Streaming clients per SDK in the push benchmark. */
  pushClients: number
  /** Timed changes per SDK in the push benchmark. */
  pushChanges: number
}

/** The JSON file a run writes, and what the tables are rendered from. */
export interface SuiteResult {
  startedAt: string
  durationSeconds: number
  machine: Machine
  options: SuiteOptions
  /** Shown above the tables, e.g. that the machine was busy. */
  note?: string
  evaluation?: { summary: EvaluationSummary[]; runs: EvaluationRun[] }
  coldStart?: { summary: ColdStartSummary[]; runs: ColdStartRun[] }
  bundles?: BundleSize[]
  propagation?: CheckedPropagation[]
  push?: PushRun[]
}
