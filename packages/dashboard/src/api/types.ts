import type { FlagDefinition } from '@floodgate/core'
import type { RolloutHealth, StoredFlagConfig } from '@floodgate/server'

export type {
  Condition,
  ConditionOp,
  FlagConfig,
  FlagKind,
  RolloutDecision,
  RolloutPlanInput,
  RolloutState,
  RolloutStatus,
  Rule,
  Serve,
} from '@floodgate/core'
export type {
  AuditAction,
  AuditEntry,
  AuditPage,
  Environment,
  Problem,
  ProblemItem,
  RolloutEvent,
  RolloutHealth,
  StoredFlag,
  StoredFlagConfig,
  TokenRecord,
  TokenScope,
  WebhookDelivery,
  WebhookEndpoint,
} from '@floodgate/server'

/** A configuration as the configuration endpoints answer it. */
export type ConfigResponse = StoredFlagConfig & { environmentVersion: number; changed?: boolean }

/** What the controller would decide now, with its evidence (see docs/protocol.md). */
export type Assessment = NonNullable<RolloutHealth['assessment']>

/** The evidence of a decision or an assessment. */
export type StageEvidence = Assessment['evidence']

/** One bucket of one variant's signals, from `GET …/flags/:key/signals`. */
export interface SignalBucketView {
  variant: string
  bucketStart: string
  exposures: number
  successes: number
  errors: number
  errorUnits: number
  latencyCount: number
  latencySumMs: number
  latencyMaxMs: number
}

/** `GET …/flags/:key/signals`. */
export interface SignalSeries {
  environment: string
  flag: string
  bucketMs: number
  since: string
  until: string
  buckets: SignalBucketView[]
}

/** Filters of `GET /v1/admin/audit`. */
export interface AuditFilters {
  flag?: string
  env?: string
  actor?: string
  action?: string
  since?: string
  until?: string
  limit?: number
  cursor?: number
}

/** A flag as `POST /v1/admin/flags` takes it: a boolean flag may leave out its variants. */
export type NewFlag = Pick<FlagDefinition, 'key' | 'kind'> &
  Partial<Pick<FlagDefinition, 'variants' | 'offVariant' | 'description' | 'tags' | 'clientSide'>>
