/** Why an evaluation returned what it did (OpenFeature's vocabulary, plus `KILLED`). */
export const Reason = {
  /** The flag serves one variant to everyone (no rules, a plain fallthrough). */
  STATIC: 'STATIC',
  /** The flag is disabled in this environment: `offVariant` for everyone. */
  DISABLED: 'DISABLED',
  /** The kill switch is pulled: `offVariant` for everyone, whatever else is configured. */
  KILLED: 'KILLED',
  /** A rule's conditions matched. */
  TARGETING_MATCH: 'TARGETING_MATCH',
  /** A percentage split chose the variant. */
  SPLIT: 'SPLIT',
  /** The fallthrough served a single variant, or the caller's default was returned. */
  DEFAULT: 'DEFAULT',
  /** Something went wrong; `errorCode` says what, and the value is the caller's default. */
  ERROR: 'ERROR',
} as const
export type Reason = (typeof Reason)[keyof typeof Reason]

/** What went wrong in an evaluation (a closed set, OpenFeature's codes). */
export const ErrorCode = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  /** A split hashes an attribute the context lacks: `offVariant` is served. */
  TARGETING_KEY_MISSING: 'TARGETING_KEY_MISSING',
  PROVIDER_NOT_READY: 'PROVIDER_NOT_READY',
  PARSE_ERROR: 'PARSE_ERROR',
  GENERAL: 'GENERAL',
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]
