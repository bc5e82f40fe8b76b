import type { EvaluatedFlag, EvaluatedRollout, Evaluation, EvaluationPatch } from './evaluation'
import { ErrorCode, Reason } from './reasons'
import type { ValidationResult } from './snapshotValidator'

/**
 * The browser's check of what `POST /v1/sdk/evaluate` and its stream send:
 * a few lines by hand instead of the snapshot validator or zod, because the
 * remote client exists to stay small. It names the first problem only.
 */

/** A problem: where, and what is wrong there. */
type Problem = [path: string, message: string]

const REASONS = new Set<string>(Object.values(Reason))
const ERROR_CODES = new Set<string>(Object.values(ErrorCode))

/** Checks an evaluation (the response of `POST /v1/sdk/evaluate`, a stream's `put`). */
export function checkEvaluation(input: unknown): ValidationResult<Evaluation> {
  if (!isObject(input) || input.schemaVersion !== 1) return failure(['/schemaVersion', 'must be 1'])
  if (typeof input.environment !== 'string') return failure(['/environment', 'must be a string'])
  if (!isVersion(input.version)) return failure(['/version', 'must be a non-negative integer'])
  const problem = flagsProblem(input.flags, false)
  if (problem !== undefined) return failure(problem)
  const { environment, version } = input
  return {
    success: true,
    data: { schemaVersion: 1, environment, version, flags: input.flags as Evaluation['flags'] },
  }
}

/** Checks an evaluation stream's `patch`. */
export function checkEvaluationPatch(input: unknown): ValidationResult<EvaluationPatch> {
  if (!isObject(input)) return failure(['/', 'must be an object'])
  if (!isVersion(input.version)) return failure(['/version', 'must be a non-negative integer'])
  const problem = flagsProblem(input.flags, true)
  if (problem !== undefined) return failure(problem)
  return {
    success: true,
    data: { version: input.version, flags: input.flags as EvaluationPatch['flags'] },
  }
}

function flagsProblem(flags: unknown, nullable: boolean): Problem | undefined {
  if (!isObject(flags)) return ['/flags', 'must be an object']
  for (const [key, flag] of Object.entries(flags)) {
    if (flag === null && nullable) continue
    const problem = flagProblem(flag)
    if (problem !== undefined) return [`/flags/${key}${problem[0]}`, problem[1]]
  }
  return undefined
}

function flagProblem(f: unknown): Problem | undefined {
  if (!isObject(f)) return ['', 'must be an object']
  const flag = f as Partial<EvaluatedFlag>
  if (!isVersion(flag.version)) return ['/version', 'must be a non-negative integer']
  if (typeof flag.reason !== 'string' || !REASONS.has(flag.reason)) {
    return ['/reason', 'is not a reason']
  }
  if (flag.variant !== undefined && typeof flag.variant !== 'string') {
    return ['/variant', 'must be a string']
  }
  if ((flag.value === undefined) !== (flag.variant === undefined)) {
    return ['', 'must have both a value and a variant, or neither']
  }
  if (flag.errorCode !== undefined && !ERROR_CODES.has(flag.errorCode)) {
    return ['/errorCode', 'is not an error code']
  }
  return flag.rollout === undefined ? undefined : rolloutProblem(flag.rollout)
}

function rolloutProblem(r: unknown): Problem | undefined {
  if (!isObject(r)) return ['/rollout', 'must be an object']
  const rollout = r as Partial<EvaluatedRollout>
  for (const name of ['id', 'treatment', 'control'] as const) {
    if (typeof rollout[name] !== 'string') return [`/rollout/${name}`, 'must be a string']
  }
  if (rollout.unit !== undefined && typeof rollout.unit !== 'string') {
    return ['/rollout/unit', 'must be a string']
  }
  if (rollout.controlValue === undefined) return ['/rollout/controlValue', 'is missing']
  const guard = rollout.localGuard
  if (
    guard !== undefined &&
    !(isObject(guard) && isPositive(guard.minErrors) && isPositive(guard.maxErrorRate))
  ) {
    return ['/rollout/localGuard', 'must have a positive minErrors and maxErrorRate']
  }
  return undefined
}

function failure([path, message]: Problem): {
  success: false
  issues: [{ path: string; message: string }]
} {
  return { success: false, issues: [{ path: path === '' ? '/' : path, message }] }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isVersion(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && v > 0
}
