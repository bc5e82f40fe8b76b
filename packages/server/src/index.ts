export type { FloodgateServer, RunningServer, ServerOptions } from './app'
export { createServer, startServer } from './app'
export type { FanoutMessage } from './fanoutChannel'
export { FANOUT_CHANNEL } from './fanoutChannel'
export type { ProblemItem } from './httpError'
export { HttpError } from './httpError'
export type { Problem } from './problem'
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
  ConfigChange,
  ConfigUpdate,
  NewRollout,
  NewToken,
  RolloutObservation,
  RolloutRecord,
  RolloutStageSignals,
  RolloutTransition,
  RolloutVariantSignals,
  RolloutWithDecisions,
  SignalsInput,
  Store,
  StoredToken,
  StoreErrorCode,
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
  StoredFlag,
  StoredFlagConfig,
  StoredSegment,
  TokenRecord,
  TokenScope,
} from './types'
export { AUDIT_ACTIONS } from './types'
