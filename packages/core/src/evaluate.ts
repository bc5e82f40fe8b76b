import { toUnit } from './coercion'
import { CompiledFlag, newResolution, type Resolution, readKey } from './compiledFlag'
import { ContextLayers } from './contextLayers'
import type { EvaluatedFlag, EvaluatedRollout, Evaluation } from './evaluation'
import { ErrorCode, Reason } from './reasons'
import type { JsonValue, Segment, Snapshot, SnapshotFlag } from './schemas'
import { SegmentTable } from './segmentTable'
import type { Context, EvaluationDetails } from './types'
import { unitHash } from './unitHash'

const compiledFlags = new WeakMap<object, CompiledFlag>()
const segmentTables = new WeakMap<object, SegmentTable>()
// Pure: a bundle that never evaluates (a remote client) drops the evaluator with it.
const NO_SEGMENTS = /* @__PURE__ */ new SegmentTable()

/**
 * Evaluates one snapshot flag for a context: the kill switch, then
 * `enabled`, then the rules in order, then the fallthrough (DESIGN.md).
 * Pure and total: it never throws, whatever it is given; a malformed flag
 * gives reason `ERROR` with `PARSE_ERROR`, a missing one `FLAG_NOT_FOUND`,
 * anything unexpected (a context getter that throws) `GENERAL`.
 *
 * Flags and segments are compiled once and cached by object identity, so
 * treat them as immutable, as snapshot data is. Without a caller's default,
 * an error that chose no variant gives `value: undefined`.
 *
 * @example
 * const detail = evaluate(snapshot.flags['new-checkout'], { userId: 'user-1' }, snapshot.segments)
 * // { flagKey: 'new-checkout', value: true, variant: 'on', reason: 'SPLIT' }
 */
export function evaluate(
  flag: SnapshotFlag | undefined,
  context?: Context,
  segments?: Readonly<Record<string, Segment>>,
): EvaluationDetails<JsonValue | undefined> {
  const out = newResolution()
  try {
    if (flag === undefined || flag === null) {
      return errorDetails('', undefined, ErrorCode.FLAG_NOT_FOUND, 'no flag given')
    }
    const compiled = compiledFor(flag, segments)
    const index = compiled.resolve(new ContextLayers().set(context), out)
    return detailsOf(compiled, index, out, undefined)
  } catch (error) {
    return errorDetails(readKey(flag) ?? '', undefined, ErrorCode.GENERAL, messageOf(error))
  }
}

function compiledFor(
  flag: SnapshotFlag,
  segments: Readonly<Record<string, Segment>> | undefined,
): CompiledFlag {
  const table = segmentTableFor(segments)
  if (typeof flag !== 'object') return new CompiledFlag(flag, table)
  let compiled = compiledFlags.get(flag)
  if (compiled === undefined || compiled.segments !== table) {
    compiled = new CompiledFlag(flag, table)
    compiledFlags.set(flag, compiled)
  }
  return compiled
}

function segmentTableFor(segments: Readonly<Record<string, Segment>> | undefined): SegmentTable {
  if (typeof segments !== 'object' || segments === null) return NO_SEGMENTS
  let table = segmentTables.get(segments)
  if (table === undefined) {
    table = new SegmentTable(segments)
    segmentTables.set(segments, table)
  }
  return table
}

/**
 * The details of a resolution: the variant's value, or `defaultValue` when
 * no variant was chosen (a broken flag).
 */
export function detailsOf<T>(
  compiled: CompiledFlag,
  index: number,
  out: Resolution,
  defaultValue: T,
): EvaluationDetails<JsonValue | T> {
  if (index < 0) {
    return errorDetails(
      compiled.key,
      defaultValue,
      out.errorCode ?? ErrorCode.GENERAL,
      out.errorMessage ?? 'no variant',
    )
  }
  const details: EvaluationDetails<JsonValue | T> = {
    flagKey: compiled.key,
    value: compiled.values[index] as JsonValue,
    variant: compiled.variantNames[index] as string,
    reason: out.reason,
  }
  if (out.ruleIndex >= 0) details.ruleIndex = out.ruleIndex
  if (out.errorCode !== undefined) {
    details.errorCode = out.errorCode
    if (out.errorMessage !== undefined) details.errorMessage = out.errorMessage
  }
  return details
}

/** Details for an evaluation that chose no variant: the caller's default, reason `ERROR`. */
export function errorDetails<T>(
  flagKey: string,
  defaultValue: T,
  errorCode: ErrorCode,
  errorMessage: string,
): EvaluationDetails<T> {
  return { flagKey, value: defaultValue, reason: Reason.ERROR, errorCode, errorMessage }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  try {
    return String(error)
  } catch {
    return 'unknown error'
  }
}

/** Options of `evaluateSnapshot`. */
export interface EvaluateSnapshotOptions {
  /** Evaluate only the flags marked `clientSide` (what a browser may see). Default `false`. */
  clientSideOnly?: boolean
}

/**
 * Evaluates every flag of a snapshot for one context: what
 * `POST /v1/sdk/evaluate` answers, and the `bootstrap` a server render hands
 * a browser's remote client (with `clientSideOnly`, so that no server-only
 * flag reaches the page). Never throws; a flag that fails to evaluate is
 * listed with its error.
 *
 * @example
 * const bootstrap = evaluateSnapshot(flags.getSnapshot()!, { userId }, { clientSideOnly: true })
 */
export function evaluateSnapshot(
  snapshot: Snapshot,
  context?: Context,
  options: EvaluateSnapshotOptions = {},
): Evaluation {
  const flags: Record<string, EvaluatedFlag> = {}
  const layers = new ContextLayers()
  for (const [key, flag] of Object.entries(snapshot.flags)) {
    if (options.clientSideOnly === true && flag.clientSide !== true) continue
    flags[key] = evaluatedFlag(flag, layers.set(context), snapshot.segments)
  }
  return {
    schemaVersion: 1,
    environment: snapshot.environment,
    version: snapshot.version,
    flags,
  }
}

function evaluatedFlag(
  flag: SnapshotFlag,
  layers: ContextLayers,
  segments: Readonly<Record<string, Segment>>,
): EvaluatedFlag {
  const version = Number.isSafeInteger(flag.version) ? flag.version : 0
  const out = newResolution()
  try {
    const compiled = compiledFor(flag, segments)
    const index = compiled.resolve(layers, out)
    const details = detailsOf(compiled, index, out, undefined)
    const evaluated: EvaluatedFlag = { version, reason: details.reason }
    if (details.variant !== undefined) {
      evaluated.variant = details.variant
      evaluated.value = details.value as JsonValue
    }
    if (details.ruleIndex !== undefined) evaluated.ruleIndex = details.ruleIndex
    if (details.errorCode !== undefined) evaluated.errorCode = details.errorCode
    if (details.errorMessage !== undefined) evaluated.errorMessage = details.errorMessage
    const rollout = compiled.rollout
    if (rollout !== undefined) {
      const ref: EvaluatedRollout = {
        id: rollout.id,
        stage: flag.rollout?.stage ?? 0,
        treatment: compiled.variantNames[rollout.treatment] as string,
        control: compiled.variantNames[rollout.control] as string,
        controlValue: compiled.values[rollout.control] as JsonValue,
      }
      if (rollout.localGuard !== undefined) ref.localGuard = { ...rollout.localGuard }
      const unit = toUnit(layers.get(out.by ?? compiled.unitAttribute))
      if (unit !== undefined) ref.unitHash = unitHash(unit)
      evaluated.rollout = ref
    }
    return evaluated
  } catch (error) {
    return {
      version,
      reason: Reason.ERROR,
      errorCode: ErrorCode.GENERAL,
      errorMessage: messageOf(error),
    }
  }
}
