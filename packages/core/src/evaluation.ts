import type { ErrorCode, Reason } from './reasons'
import type { JsonValue, LocalGuard } from './schemas'

/**
 * One flag as the server evaluated it for one context (`POST /v1/sdk/evaluate`):
 * what a browser needs to serve it, attribute signals to it and run its
 * local guard, and nothing of the rules that chose it.
 */
export interface EvaluatedFlag {
  /** The flag configuration's version (a newer one resets the local guard). */
  version: number
  /** The variant's value; absent when the evaluation chose no variant (the caller's default is served). */
  value?: JsonValue
  /** The variant served, when one was chosen. */
  variant?: string
  reason: Reason
  ruleIndex?: number
  errorCode?: ErrorCode
  errorMessage?: string
  /** Present while a staged rollout runs. */
  rollout?: EvaluatedRollout
}

/** The running rollout of an evaluated flag. */
export interface EvaluatedRollout {
  id: string
  stage: number
  treatment: string
  control: string
  /** The control variant's value: what the local guard serves once it trips. */
  controlValue: JsonValue
  localGuard?: LocalGuard
  /**
   * `unitHash` of the split's unit for this context (the `by` attribute's
   * value), for counting distinct error units; absent when the context has
   * no unit. The hash and not the unit, so the client needs no hashing code.
   */
  unitHash?: number
}

/** Every flag a token may see, evaluated for one context. */
export interface Evaluation {
  schemaVersion: 1
  environment: string
  /** The environment version the evaluation reflects (what the token sees of it). */
  version: number
  flags: Record<string, EvaluatedFlag>
}

/** An evaluation stream's `patch`: the flags whose evaluation changed (`null`: the flag is gone). */
export interface EvaluationPatch {
  version: number
  flags: Record<string, EvaluatedFlag | null>
}
