import type { EvaluatedFlag, EvaluatedRollout, Evaluation, EvaluationPatch } from './evaluation'
import { ErrorCode, Reason } from './reasons'
import type { ValidationResult } from './snapshotValidator'

/**
 * The browser's check of what `POST /v1/sdk/evaluate` and its stream send
 * (and of what its cache holds): a few lines by hand instead of the snapshot
 * validator or zod, because the remote client exists to stay small. It
 * names the first problem only.
 */

const REASONS = new Set<unknown>(Object.values(Reason))
const ERROR_CODES = new Set<unknown>(Object.values(ErrorCode))

/** Checks an evaluation (the response of `POST /v1/sdk/evaluate`, a stream's `put`). */
export function checkEvaluation(input: unknown): ValidationResult<Evaluation> {
  if (
    !isObject(input) ||
    input.schemaVersion !== 1 ||
    typeof input.environment !== 'string' ||
    !isCount(input.version)
  ) {
    return failure('/', 'is not an evaluation (schemaVersion 1, environment, version, flags)')
  }
  return checked(input.flags, false, {
    schemaVersion: 1,
    environment: input.environment,
    version: input.version,
    flags: input.flags as Evaluation['flags'],
  })
}

/** Checks an evaluation stream's `patch`. */
export function checkEvaluationPatch(input: unknown): ValidationResult<EvaluationPatch> {
  if (!isObject(input) || !isCount(input.version)) {
    return failure('/', 'is not an evaluation patch (version, flags)')
  }
  return checked(input.flags, true, {
    version: input.version,
    flags: input.flags as EvaluationPatch['flags'],
  })
}

function checked<T>(flags: unknown, nullable: boolean, data: T): ValidationResult<T> {
  if (!isObject(flags)) return failure('/flags', 'must be an object')
  for (const [key, flag] of Object.entries(flags)) {
    const problem = flag === null && nullable ? undefined : flagProblem(flag)
    if (problem !== undefined) return failure(`/flags/${key}`, problem)
  }
  return { success: true, data }
}

function flagProblem(input: unknown): string | undefined {
  if (!isObject(input)) return 'must be an object'
  const flag = input as Partial<EvaluatedFlag>
  if (!isCount(flag.version)) return 'needs a version (a non-negative integer)'
  if (!REASONS.has(flag.reason)) return 'needs a reason'
  if ((flag.variant === undefined) !== (flag.value === undefined)) {
    return 'must have both a variant and a value, or neither'
  }
  if (flag.variant !== undefined && typeof flag.variant !== 'string')
    return 'has a variant that is not a string'
  if (flag.errorCode !== undefined && !ERROR_CODES.has(flag.errorCode))
    return 'has an unknown errorCode'
  const rollout = flag.rollout as Partial<EvaluatedRollout> | undefined
  if (rollout === undefined) return undefined
  const guard = rollout.localGuard
  const valid =
    isObject(rollout) &&
    typeof rollout.id === 'string' &&
    typeof rollout.treatment === 'string' &&
    typeof rollout.control === 'string' &&
    rollout.controlValue !== undefined &&
    (rollout.unitHash === undefined || isCount(rollout.unitHash)) &&
    (guard === undefined || (isObject(guard) && guard.minErrors > 0 && guard.maxErrorRate > 0))
  return valid ? undefined : 'has an invalid rollout'
}

function failure(path: string, message: string): ValidationResult<never> {
  return { success: false, issues: [{ path, message }] }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0
}
