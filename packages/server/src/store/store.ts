import type {
  FlagConfig,
  FlagDefinition,
  RolloutDecision,
  RolloutPlan,
  RolloutStatus,
  Segment,
  SignalsBatch,
} from '@floodgate/core'
import type {
  Actor,
  AuditAction,
  AuditEntry,
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
} from '../types'

/** Why a store operation was refused; the HTTP layer maps `not_found` to 404 and the rest to 409. */
export type StoreErrorCode = 'not_found' | 'already_exists' | 'stale_version' | 'conflict'

/** A store operation refused because of the stored state (nothing was written). */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'StoreError'
  }
}

/**
 * A change to one flag configuration. `apply` runs inside the write
 * transaction with the current state and returns the new configuration (or
 * throws to refuse, which writes nothing). When the result equals the current
 * configuration nothing is written and no version is bumped.
 */
export interface ConfigChange {
  action: ConfigAction | RolloutAction
  actor: Actor
  reason?: string
  /** The configuration version the caller last read (`If-Match`); a different current version is `stale_version`. */
  expectedVersion?: number
  apply(
    current: StoredFlagConfig,
    context: { flag: StoredFlag; segmentKeys: ReadonlySet<string> },
  ): FlagConfig
}

/** The result of `updateFlagConfig`: the configuration now current, and whether this call changed it. */
export interface ConfigUpdate {
  config: StoredFlagConfig
  changed: boolean
  environmentVersion: number
}

/** Filters and paging of `queryAudit`; entries come newest first. */
export interface AuditQuery {
  /** Entries about this flag (its definition and its configurations). */
  flag?: string
  /** Entries in this environment, and global ones (which affect every environment). */
  environment?: string
  actor?: string
  action?: AuditAction
  /** ISO time: entries at or after it. */
  since?: string
  /** ISO time: entries before it. */
  until?: string
  /** Entries with an id below this one (the previous page's `nextCursor`). */
  before?: number
  /** Entries with an id above this one. */
  after?: number
  /** Page size. */
  limit: number
}

export interface AuditPage {
  entries: AuditEntry[]
  /** Pass as `before` to get the next page; `null` on the last page. */
  nextCursor: number | null
}

/** A token to store; the secret itself never reaches the store. */
export interface NewToken {
  name: string
  scope: TokenScope
  environment: string | null
  /** SHA-256 hex of the secret. */
  hash: string
  hint: string
}

/** A stored token with its hash, for authentication. */
export type StoredToken = TokenRecord & { hash: string }

/** A signals batch to aggregate into one time bucket of one environment. */
export interface SignalsInput {
  environment: string
  batch: SignalsBatch
  /** ISO start of the bucket the batch counts in. */
  bucketStart: string
  receivedAt: string
}

/** A stored rollout: its plan, where it stands, and the controller's monitor state (opaque JSON to the store). */
export interface RolloutRecord {
  id: string
  environment: string
  flag: string
  status: RolloutStatus
  stageIndex: number
  /** The treatment's share the flag serves now. */
  percent: number
  plan: RolloutPlan
  startedAt: string
  stageStartedAt: string
  endedAt?: string
  /** Bumped by every write; every write is conditional on the version it read. */
  stateVersion: number
  monitor: unknown
  createdBy: string
}

/** A rollout with its decisions, oldest first: the admin API's rollout state. */
export type RolloutWithDecisions = RolloutRecord & { decisions: RolloutDecision[] }

/** Where a rollout goes next: its new fields, the decision that moved it, and optionally a flag configuration change made in the same transaction. */
export interface RolloutTransition {
  action: RolloutAction
  actor: Actor
  /** The `stateVersion` the caller read; another current version is `stale_version` and nothing is written. */
  expectedStateVersion: number
  next: Pick<RolloutRecord, 'status' | 'stageIndex' | 'percent' | 'stageStartedAt' | 'monitor'> & {
    endedAt?: string
  }
  decision: RolloutDecision
  /** The flag's new configuration, given the current one; omitted when the configuration stays. */
  config?: ConfigChange['apply']
}

/** A new rollout: its record (version 1), its first decision, and the flag configuration it starts from. */
export interface NewRollout {
  record: Omit<RolloutRecord, 'stateVersion'>
  actor: Actor
  decision: RolloutDecision
  config: ConfigChange['apply']
}

/** One variant's signals in one stage of a rollout. */
export interface RolloutVariantSignals extends SignalCounters {
  batches: number
}

/** The signals of a rollout per stage and variant. */
export interface RolloutStageSignals {
  stageIndex: number
  variants: Record<string, RolloutVariantSignals>
}

/** One signals batch folded into a rollout. */
export interface RolloutObservation {
  expectedStateVersion: number
  /** The batch id; a batch already folded into this rollout is dropped (`duplicate`). */
  batchId?: string
  /** The stage the batch's signals count in. */
  stageIndex: number
  /**
   * Per variant, the error-unit hashes the batch lists. The store keeps the
   * units seen erroring per rollout, stage and variant, and tells `apply` how
   * many of these are new.
   */
  errorUnitHashes: Record<string, readonly number[]>
  /** The monitor state and per-variant signals to add, given how many listed units erred for the first time this stage. */
  apply(firstErrorUnits: Record<string, number>): {
    monitor: unknown
    signals: Record<string, RolloutVariantSignals>
  }
}

/** A webhook endpoint to store, with its signing secret. */
export interface NewWebhookEndpoint {
  url: string
  description: string
  events: WebhookEndpoint['events']
  environments: string[]
  secret: string
  enabled: boolean
}

/** The fields of a webhook endpoint an update changes; the others stay. */
export type WebhookEndpointPatch = Partial<NewWebhookEndpoint>

/**
 * A stored webhook endpoint with its signing secret. The secret is kept as is,
 * not hashed: the server signs every delivery with it.
 */
export type StoredWebhookEndpoint = WebhookEndpoint & { secret: string }

/** One event to queue for delivery to the given endpoints. */
export interface WebhookEventInput {
  eventId: string
  eventType: WebhookEventType
  environment: string | null
  /** The JSON body every attempt sends. */
  payload: string
  endpointIds: string[]
  /** ISO time: when the delivery is created and first due. */
  now: string
}

/** Which due deliveries a dispatcher takes, and for how long. */
export interface WebhookClaim {
  /** The claiming dispatcher; only it can record the attempt. */
  owner: string
  /** ISO time: deliveries due at or before it are taken. */
  now: string
  /** ISO time: until when the claim holds; after it another dispatcher may take the delivery. */
  leaseUntil: string
  limit: number
  /** Only this delivery (the test endpoint sends its ping at once). */
  deliveryId?: string
}

/** A delivery a dispatcher holds, with what it needs to send it. */
export interface ClaimedWebhookDelivery {
  delivery: WebhookDelivery
  payload: string
  url: string
  secret: string
}

/** The outcome of one attempt, as the dispatcher that claimed the delivery records it. */
export interface WebhookAttemptResult {
  deliveryId: string
  owner: string
  attempt: WebhookAttempt
  state: WebhookDeliveryState
  /** ISO time of the next attempt while `pending`; `null` otherwise. */
  nextAttemptAt: string | null
}

/** Filters and paging of `listWebhookDeliveries`; deliveries come newest first. */
export interface WebhookDeliveryQuery {
  endpointId: string
  state?: WebhookDeliveryState
  /** Page size. */
  limit: number
}

/**
 * Floodgate's storage. Every method is one transaction; a write resolves only
 * after it is committed (durably). Each write that changes what an
 * environment serves bumps that environment's version and appends its audit
 * entries in the same transaction, then tells `subscribe` listeners right
 * after the commit, in commit order.
 *
 * Implementations: `createSqliteStore` (embedded default) and
 * `createPostgresStore` (several replicas; listeners there hear every
 * replica's commits). Every implementation passes `describeStoreConformance`.
 */
export interface Store {
  /** Listens to committed writes; returns the unsubscribe function. */
  subscribe(listener: (event: CommitEvent) => void): () => void
  /** Resolves when the database answers a query. */
  ping(): Promise<void>
  /** Waits for pending writes and closes the database. */
  close(): Promise<void>

  listEnvironments(): Promise<Environment[]>
  getEnvironment(name: string): Promise<Environment | undefined>
  /** Creates an environment holding the default configuration of every flag. */
  createEnvironment(name: string, actor: Actor): Promise<Environment>
  /** Everything an environment serves, for building snapshots. */
  loadEnvironment(name: string): Promise<EnvironmentState | undefined>

  listFlags(): Promise<StoredFlag[]>
  getFlag(key: string): Promise<StoredFlag | undefined>
  /** Creates a flag with the default configuration (disabled, serving `offVariant`) in every environment. */
  createFlag(definition: FlagDefinition, actor: Actor): Promise<StoredFlag>
  /**
   * Replaces a flag's definition. `validate` runs in the transaction with the
   * flag's configurations and throws to refuse. When the evaluated fields
   * change (kind, variants, offVariant, clientSide), every environment's
   * configuration and version are bumped.
   */
  updateFlag(
    key: string,
    definition: FlagDefinition,
    actor: Actor,
    validate?: (configs: StoredFlagConfig[]) => void,
  ): Promise<StoredFlag>
  deleteFlag(key: string, actor: Actor): Promise<void>

  listFlagConfigs(environment: string): Promise<StoredFlagConfig[]>
  /** The current configuration, or the given earlier version of it. */
  getFlagConfig(
    environment: string,
    key: string,
    version?: number,
  ): Promise<StoredFlagConfig | undefined>
  /** Earlier and current versions of a configuration, newest first, those below `before` when given. */
  listFlagConfigVersions(
    environment: string,
    key: string,
    page: { before?: number; limit: number },
  ): Promise<StoredFlagConfig[]>
  updateFlagConfig(environment: string, key: string, change: ConfigChange): Promise<ConfigUpdate>

  listSegments(environment: string): Promise<StoredSegment[]>
  getSegment(environment: string, key: string): Promise<StoredSegment | undefined>
  /** Creates or replaces a segment. */
  putSegment(
    environment: string,
    key: string,
    segment: Segment,
    actor: Actor,
  ): Promise<{ segment: StoredSegment; created: boolean; changed: boolean }>
  /** Deletes a segment; `conflict` while a configuration in its environment refers to it. */
  deleteSegment(environment: string, key: string, actor: Actor): Promise<void>

  queryAudit(query: AuditQuery): Promise<AuditPage>

  createToken(token: NewToken, actor: Actor): Promise<TokenRecord>
  findTokenByHash(hash: string): Promise<StoredToken | undefined>
  listTokens(): Promise<TokenRecord[]>
  /** Revokes a token (idempotent: revoking a revoked token returns it unchanged). */
  revokeToken(id: string, actor: Actor): Promise<TokenRecord>

  createWebhookEndpoint(endpoint: NewWebhookEndpoint, actor: Actor): Promise<StoredWebhookEndpoint>
  listWebhookEndpoints(): Promise<StoredWebhookEndpoint[]>
  getWebhookEndpoint(id: string): Promise<StoredWebhookEndpoint | undefined>
  updateWebhookEndpoint(
    id: string,
    patch: WebhookEndpointPatch,
    actor: Actor,
  ): Promise<StoredWebhookEndpoint>
  /** Deletes an endpoint with its deliveries. */
  deleteWebhookEndpoint(id: string, actor: Actor): Promise<void>
  /**
   * Queues an event for each endpoint, due at once; an event already queued
   * for an endpoint is skipped. Returns the deliveries created.
   */
  enqueueWebhookDeliveries(input: WebhookEventInput): Promise<WebhookDelivery[]>
  /**
   * Takes due pending deliveries that no other dispatcher holds (or whose
   * claim has run out), oldest due first. A delivery is taken by one claim
   * only, across processes sharing the database.
   */
  claimWebhookDeliveries(claim: WebhookClaim): Promise<ClaimedWebhookDelivery[]>
  /**
   * Records an attempt and the delivery's new state, and releases the claim.
   * Returns `false` (writing nothing) when the claim was lost to another dispatcher.
   */
  recordWebhookAttempt(result: WebhookAttemptResult): Promise<boolean>
  getWebhookDelivery(id: string): Promise<WebhookDelivery | undefined>
  listWebhookDeliveries(query: WebhookDeliveryQuery): Promise<WebhookDelivery[]>
  /** Forgets succeeded and failed deliveries last updated before `before` (ISO), with their attempts; returns how many. */
  pruneWebhookDeliveries(before: string): Promise<number>

  /**
   * Adds a batch to its bucket's aggregates; a batch whose `id` this
   * environment already recorded is dropped (`duplicate: true`).
   */
  recordSignals(input: SignalsInput): Promise<{ duplicate: boolean }>
  /**
   * Adds many batches at once (a replica's pre-aggregated second of
   * signals): a batch whose `id` this environment already recorded, here or
   * on another replica, or that repeats in the list, is dropped.
   */
  recordSignalBatches(
    inputs: readonly SignalsInput[],
  ): Promise<{ recorded: number; duplicates: number }>
  querySignals(query: {
    environment: string
    flagKey?: string
    since?: string
    until?: string
  }): Promise<SignalBucket[]>
  /** Forgets batch ids received before `before` (ISO); returns how many. */
  pruneSignalBatchIds(before: string): Promise<number>

  /**
   * Stores a new rollout and applies its first configuration change, audited
   * as `rollout.start`, in one transaction. `conflict` when the flag already
   * has a running or paused rollout in the environment; `not_found` without
   * the environment or flag.
   */
  createRollout(input: NewRollout): Promise<RolloutWithDecisions>
  /**
   * Moves a rollout, records the decision and audits it, with the optional
   * configuration change, in one transaction, only if the rollout is still at
   * `expectedStateVersion` (`stale_version` otherwise, writing nothing).
   */
  transitionRollout(id: string, transition: RolloutTransition): Promise<RolloutWithDecisions>
  /**
   * Folds one signals batch into a rollout, conditional on its state version
   * like `transitionRollout`. A batch id seen before changes nothing.
   */
  observeRollout(
    id: string,
    observation: RolloutObservation,
  ): Promise<{ duplicate: boolean; rollout: RolloutRecord }>
  getRollout(id: string): Promise<RolloutWithDecisions | undefined>
  /** A flag's rollouts in an environment, newest first. */
  listRollouts(environment: string, flag: string, limit?: number): Promise<RolloutWithDecisions[]>
  /** Every running or paused rollout, oldest first. */
  listActiveRollouts(): Promise<RolloutRecord[]>
  /**
   * An environment's rollouts that started or ended at or after `since` (ISO),
   * or are still running or paused, oldest first, with their decisions: what
   * delivery metrics are computed from.
   */
  listEnvironmentRollouts(environment: string, since: string): Promise<RolloutWithDecisions[]>
  /** A rollout's signals per stage and variant, by stage. */
  rolloutSignals(id: string): Promise<RolloutStageSignals[]>
}
