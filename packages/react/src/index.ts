// Core's values by name, not `export *`: the bundle is one 'use client' module, and
// React Server Components bundlers reject `export *` in a client module.
export type * from '@floodgate/core'
export {
  AttributeNameSchema,
  Backoff,
  bucket,
  CONDITION_OPS,
  ConditionOpSchema,
  ConditionSchema,
  Connection,
  ContextSchema,
  checkEvaluation,
  checkEvaluationPatch,
  checkServeVariants,
  checkVariantValues,
  DEFAULT_ROLLOUT_PERCENTS,
  EnvironmentNameSchema,
  ERROR_UNIT_HASH_SEED,
  ErrorCode,
  EvaluationRequestSchema,
  evaluate,
  evaluateSnapshot,
  FLAG_KEY_PATTERN,
  FlagClient,
  FlagConfigSchema,
  FlagDefinitionSchema,
  FlagKeySchema,
  FlagKindSchema,
  FlagNotFoundError,
  FlagSdkError,
  formatIssues,
  JsonValueSchema,
  LATENCY_BUCKETS_MS,
  LatencySummarySchema,
  LocalGuardSchema,
  MAX_ERROR_UNIT_HASHES,
  NAME_PATTERN,
  NotReadyError,
  parseRolloutPlan,
  parseSignalsBatch,
  parseSnapshot,
  parseSnapshotFlag,
  parseStreamPatch,
  Reason,
  RemoteFlagClient,
  RolloutDecisionSchema,
  RolloutPlanSchema,
  RolloutRefSchema,
  RolloutStageSchema,
  RolloutStateSchema,
  RolloutStatusSchema,
  RuleSchema,
  SchemaError,
  SEMVER_PATTERN,
  SegmentKeySchema,
  SegmentSchema,
  ServeSchema,
  SignalsAggregator,
  SignalsBatchSchema,
  SignalsSender,
  SnapshotFlagSchema,
  SnapshotSchema,
  StreamPatchSchema,
  sameAttributes,
  TOTAL_WEIGHT,
  TransportError,
  unitHash,
  VariantNameSchema,
  VariantSignalsSchema,
  VERSION,
  validateSnapshot,
  validateStreamPatch,
  WeightedVariantSchema,
} from '@floodgate/core'
export type { BrowserClientOptions } from './browserClient'
export { BrowserFlagClient, createBrowserClient } from './browserClient'
export type { FlagProps } from './Flag'
export { Flag } from './Flag'
export type { FlagProviderProps } from './FlagProvider'
export { FlagProvider } from './FlagProvider'
export type { RemoteBrowserClientOptions } from './remoteBrowserClient'
export { createRemoteBrowserClient, RemoteBrowserClient } from './remoteBrowserClient'
export type { TestFlagProviderProps } from './TestFlagProvider'
export { TestFlagProvider } from './TestFlagProvider'
export { useFlag } from './useFlag'
export { useFlagClient } from './useFlagClient'
export { useFlagDetails } from './useFlagDetails'
export { useFlagsStatus } from './useFlagsStatus'
export { useFlagValue } from './useFlagValue'
export { useVariant } from './useVariant'
export type { SnapshotStorageBackend } from './webStorageCache'
