import type {
  EvaluationDetails,
  FlagClient,
  ErrorCode as FloodgateErrorCode,
  Reason,
} from '@floodgate/core'
import {
  type FlagMetadata,
  ErrorCode as OpenFeatureErrorCode,
  type ResolutionDetails,
  type ResolutionReason,
  StandardResolutionReasons,
} from '@openfeature/core'

/**
 * Floodgate's reasons in OpenFeature's vocabulary: the same names. `KILLED`,
 * which OpenFeature has no word for, stays itself (a reason may be any string).
 */
export const REASONS: Readonly<Record<Reason, ResolutionReason>> = {
  STATIC: StandardResolutionReasons.STATIC,
  DISABLED: StandardResolutionReasons.DISABLED,
  KILLED: 'KILLED',
  TARGETING_MATCH: StandardResolutionReasons.TARGETING_MATCH,
  SPLIT: StandardResolutionReasons.SPLIT,
  DEFAULT: StandardResolutionReasons.DEFAULT,
  ERROR: StandardResolutionReasons.ERROR,
}

/** Floodgate's error codes as OpenFeature's, one to one. */
export const ERROR_CODES: Readonly<Record<FloodgateErrorCode, OpenFeatureErrorCode>> = {
  FLAG_NOT_FOUND: OpenFeatureErrorCode.FLAG_NOT_FOUND,
  TYPE_MISMATCH: OpenFeatureErrorCode.TYPE_MISMATCH,
  TARGETING_KEY_MISSING: OpenFeatureErrorCode.TARGETING_KEY_MISSING,
  PROVIDER_NOT_READY: OpenFeatureErrorCode.PROVIDER_NOT_READY,
  PARSE_ERROR: OpenFeatureErrorCode.PARSE_ERROR,
  GENERAL: OpenFeatureErrorCode.GENERAL,
}

/**
 * An evaluation's details as OpenFeature's resolution. `flagMetadata` says
 * which configuration answered: the flag's version in the environment
 * (`flagVersion`), the rule that matched (`ruleIndex`) and the staged
 * rollout running on the flag (`rolloutId`), each when there is one.
 */
export function toResolution<T>(
  details: EvaluationDetails<T>,
  client: FlagClient,
): ResolutionDetails<T> {
  const resolution: ResolutionDetails<T> = {
    value: details.value,
    reason: REASONS[details.reason],
    flagMetadata: metadataOf(details, client),
  }
  if (details.variant !== undefined) resolution.variant = details.variant
  if (details.errorCode !== undefined) resolution.errorCode = ERROR_CODES[details.errorCode]
  if (details.errorMessage !== undefined) resolution.errorMessage = details.errorMessage
  return resolution
}

/** A failed resolution: the caller's default, reason `ERROR`. */
export function errorResolution<T>(
  value: T,
  errorCode: OpenFeatureErrorCode,
  errorMessage: string,
): ResolutionDetails<T> {
  return { value, reason: StandardResolutionReasons.ERROR, errorCode, errorMessage }
}

function metadataOf(details: EvaluationDetails<unknown>, client: FlagClient): FlagMetadata {
  const metadata: FlagMetadata = {}
  const flags = client.getSnapshot()?.flags
  const flag =
    flags !== undefined && Object.hasOwn(flags, details.flagKey)
      ? flags[details.flagKey]
      : undefined
  if (flag !== undefined) metadata.flagVersion = flag.version
  if (details.ruleIndex !== undefined) metadata.ruleIndex = details.ruleIndex
  if (flag?.rollout !== undefined) metadata.rolloutId = flag.rollout.id
  return metadata
}
