export { bucket } from './bucket'
export {
  CONDITION_OPS,
  ERROR_UNIT_HASH_SEED,
  FLAG_KEY_PATTERN,
  LATENCY_BUCKETS_MS,
  MAX_ERROR_UNIT_HASHES,
  NAME_PATTERN,
  TOTAL_WEIGHT,
} from './constants'
export type { TransportErrorCode } from './errors'
export {
  FlagNotFoundError,
  FlagSdkError,
  NotReadyError,
  SchemaError,
  TransportError,
} from './errors'
export type { EvaluateSnapshotOptions } from './evaluate'
export { evaluate, evaluateSnapshot } from './evaluate'
export type { EvaluatedFlag, EvaluatedRollout, Evaluation, EvaluationPatch } from './evaluation'
export { checkEvaluation, checkEvaluationPatch } from './evaluationValidator'
export { FlagClient } from './flagClient'
export type { FlagCounters } from './flagCounters'
export { ErrorCode, Reason } from './reasons'
export type { RemoteFlagClientOptions } from './remoteFlagClient'
export { RemoteFlagClient } from './remoteFlagClient'
export { sameAttributes } from './sameAttributes'
export type {
  Condition,
  ConditionOp,
  ConditionValue,
  EvaluationRequest,
  FlagConfig,
  FlagConfigInput,
  FlagDefinition,
  FlagDefinitionInput,
  FlagKey,
  FlagKind,
  JsonValue,
  LatencySummary,
  LocalGuard,
  ParseResult,
  RolloutDecision,
  RolloutPlan,
  RolloutPlanInput,
  RolloutRef,
  RolloutStage,
  RolloutState,
  RolloutStatus,
  Rule,
  Segment,
  Serve,
  SignalsBatch,
  Snapshot,
  SnapshotFlag,
  SnapshotInput,
  SplitServe,
  StreamPatch,
  VariantServe,
  VariantSignals,
  WeightedVariant,
} from './schemas'
export {
  AttributeNameSchema,
  ConditionOpSchema,
  ConditionSchema,
  ContextSchema,
  checkServeVariants,
  checkVariantValues,
  DEFAULT_ROLLOUT_PERCENTS,
  EnvironmentNameSchema,
  EvaluationRequestSchema,
  FlagConfigSchema,
  FlagDefinitionSchema,
  FlagKeySchema,
  FlagKindSchema,
  formatIssues,
  JsonValueSchema,
  LatencySummarySchema,
  LocalGuardSchema,
  parseRolloutPlan,
  parseSignalsBatch,
  parseSnapshot,
  parseSnapshotFlag,
  parseStreamPatch,
  RolloutDecisionSchema,
  RolloutPlanSchema,
  RolloutRefSchema,
  RolloutStageSchema,
  RolloutStateSchema,
  RolloutStatusSchema,
  RuleSchema,
  SEMVER_PATTERN,
  SegmentKeySchema,
  SegmentSchema,
  ServeSchema,
  SignalsBatchSchema,
  SnapshotFlagSchema,
  SnapshotSchema,
  StreamPatchSchema,
  VariantNameSchema,
  VariantSignalsSchema,
  WeightedVariantSchema,
} from './schemas'
export { SignalsAggregator } from './signalsAggregator'
export type { ValidationIssue, ValidationResult } from './snapshotValidator'
export { validateSnapshot, validateStreamPatch } from './snapshotValidator'
export type { BackoffOptions } from './transport/backoff'
export { Backoff } from './transport/backoff'
export type { ConnectionMode, ConnectionOptions } from './transport/connection'
export { Connection } from './transport/connection'
export type { SendOutcome, SignalsSenderOptions } from './transport/signalsSender'
export { SignalsSender } from './transport/signalsSender'
export type { FetchResult } from './transport/snapshotFetcher'
export type {
  ApplyPatchResult,
  ClientStatus,
  Context,
  ContextScalar,
  ContextValue,
  EvaluationDetails,
  FlagClientEvent,
  FlagClientEventType,
  FlagClientOptions,
  FlagReader,
  Logger,
  OutcomeOptions,
  SdkInfo,
  SetSnapshotOptions,
  SetSnapshotResult,
  SignalsAggregatorOptions,
  SignalsEvent,
} from './types'
export { unitHash } from './unitHash'
export { VERSION } from './version'
