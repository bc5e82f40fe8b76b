export type { FloodgateServer, RunningServer, ServerOptions } from './app'
export { createServer, startServer } from './app'
export type { FanoutMessage } from './fanoutChannel'
export { FANOUT_CHANNEL } from './fanoutChannel'
export type { ProblemItem } from './httpError'
export { HttpError } from './httpError'
export type { Leadership, PostgresLeadershipOptions } from './leadership'
export { PostgresLeadership, SoleLeadership } from './leadership'
export type { Problem } from './problem'
export type { DeliveryMetrics, DurationSummary, RolloutHistory } from './rollouts/deliveryMetrics'
export { deliveryMetrics, loadDeliveryMetrics } from './rollouts/deliveryMetrics'
export type {
  RolloutControllerOptions,
  RolloutEvent,
  RolloutEventType,
  RolloutHealth,
} from './rollouts/rolloutController'
export { CONTROLLER_ACTOR, RolloutController } from './rollouts/rolloutController'
export type { IngestResult, SignalsEvent } from './signalIngest'
export { SignalIngest } from './signalIngest'
export type { StoreLogger } from './store/commitFeed'
export type { Database } from './store/database'
export { KyselyStore } from './store/kyselyStore'
export type { SqlDialect } from './store/migrations'
export { DEFAULT_ENVIRONMENTS, migrateToLatest } from './store/migrations'
export type { PostgresStoreOptions } from './store/postgresStore'
export { createPostgresStore, isPostgresUrl } from './store/postgresStore'
export type { SqliteStoreOptions } from './store/sqliteStore'
export { createSqliteStore } from './store/sqliteStore'
export type {
  AuditPage,
  AuditQuery,
  ClaimedWebhookDelivery,
  ConfigChange,
  ConfigUpdate,
  NewRollout,
  NewToken,
  NewWebhookEndpoint,
  RolloutObservation,
  RolloutRecord,
  RolloutStageSignals,
  RolloutTransition,
  RolloutVariantSignals,
  RolloutWithDecisions,
  SignalsInput,
  Store,
  StoredToken,
  StoredWebhookEndpoint,
  StoreErrorCode,
  WebhookAttemptResult,
  WebhookClaim,
  WebhookDeliveryQuery,
  WebhookEndpointPatch,
  WebhookEventInput,
} from './store/store'
export { StoreError } from './store/store'
export { createTokenSecret, hashTokenSecret, TOKEN_SECRET_PATTERN } from './tokenSecret'
export type {
  Actor,
  AuditAction,
  AuditEntry,
  Change,
  CommitEvent,
  ConfigAction,
  Environment,
  EnvironmentState,
  RolloutAction,
  SignalBucket,
  SignalCounters,
  StoredFlag,
  StoredFlagConfig,
  StoredSegment,
  TokenRecord,
  TokenScope,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEndpoint,
  WebhookEventType,
} from './types'
export { AUDIT_ACTIONS, ROLLOUT_EVENT_TYPES } from './types'
export { rolloutWebhookEvent } from './webhooks/rolloutWebhookEvent'
export type {
  Clock,
  WebhookAttemptOutcome,
  WebhookBackoff,
  WebhookDispatcherOptions,
  WebhookEvent,
  WebhookLogger,
  WebhookPayload,
} from './webhooks/webhookDispatcher'
export { WebhookDispatcher } from './webhooks/webhookDispatcher'
export { createWebhookSecret, WEBHOOK_SECRET_PATTERN } from './webhooks/webhookSecret'
export type { VerifyWebhookOptions, WebhookVerification } from './webhooks/webhookSignature'
export {
  signWebhookPayload,
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
} from './webhooks/webhookSignature'
export { parseWebhookUrl, WebhookUrlError } from './webhooks/webhookUrl'
