import type { FlagConfig, FlagDefinition, Segment, SnapshotFlag } from '@floodgate/core'
import type { RolloutEventType } from './rollouts/rolloutController'

/** What a token may do: administer everything, or read one environment as a server or a browser SDK. */
export type TokenScope = 'admin' | 'server' | 'client'

/** Who made a change: a token's name (the audit actor) and its id, or a named system actor. */
export interface Actor {
  /** The token's name, or a system actor such as `system`. */
  name: string
  /** The token's id; `null` for system actors. */
  tokenId: string | null
}

/** An environment and its version (bumped by every change in it). */
export interface Environment {
  name: string
  version: number
  createdAt: string
}

/** A flag's global definition with its metadata. */
export type StoredFlag = FlagDefinition & {
  createdAt: string
  updatedAt: string
  createdBy: string
  updatedBy: string
}

/** One version of a flag's configuration in one environment. */
export interface StoredFlagConfig {
  environment: string
  flagKey: string
  /** The configuration's version in this environment (the snapshot flag's `version`). */
  version: number
  config: FlagConfig
  updatedAt: string
  updatedBy: string
}

/** A segment in one environment. */
export interface StoredSegment {
  environment: string
  key: string
  segment: Segment
  updatedAt: string
  updatedBy: string
}

/** Every action the audit log records. */
export const AUDIT_ACTIONS = [
  'environment.create',
  'flag.create',
  'flag.update',
  'flag.delete',
  'config.update',
  'config.rollout',
  'config.kill',
  'config.unkill',
  'config.revert',
  'segment.create',
  'segment.update',
  'segment.delete',
  'token.create',
  'token.revoke',
  'rollout.start',
  'rollout.promote',
  'rollout.hold',
  'rollout.pause',
  'rollout.resume',
  'rollout.revert',
  'rollout.complete',
  'rollout.abort',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** The configuration actions, i.e. the ways `updateFlagConfig` is called. */
export type ConfigAction = Extract<AuditAction, `config.${string}`>

/** What the rollout controller and operators do to a rollout; each is audited on its flag. */
export type RolloutAction = Extract<AuditAction, `rollout.${string}`>

/** One audit log entry: who did what, when, to what, with the state before and after. */
export interface AuditEntry {
  /** Increasing with time; also the cursor for paging and the admin stream's event id. */
  id: number
  at: string
  actor: string
  actorTokenId: string | null
  action: AuditAction
  /** The environment changed, or `null` for a global change (a flag definition, an admin token). */
  environment: string | null
  resourceType: 'environment' | 'flag' | 'segment' | 'token' | 'webhook'
  resourceKey: string
  /** The environment's version after the change, for changes inside one environment. */
  environmentVersion: number | null
  before: unknown
  after: unknown
  reason: string | null
}

/** An API token as listed (its secret is never stored, only its SHA-256 hash). */
export interface TokenRecord {
  id: string
  name: string
  scope: TokenScope
  /** The environment a `server` or `client` token reads; `null` for `admin` tokens. */
  environment: string | null
  /** The secret's prefix and first characters, to recognise it (`fg_server_AbCd…`). */
  hint: string
  createdAt: string
  createdBy: string
  revokedAt: string | null
}

/**
 * One committed change to what an environment serves, as pushed to streams:
 * a flag's new snapshot form, or a segment, or `null` when deleted. Every
 * commit bumps each environment it touches by exactly one version.
 */
export type Change =
  | { type: 'flag'; environment: string; version: number; key: string; flag: SnapshotFlag | null }
  | {
      type: 'segment'
      environment: string
      version: number
      key: string
      segment: Segment | null
    }
  | { type: 'environment'; environment: string; version: number }

/** What one committed write produced: its changes per environment and its audit entries. */
export interface CommitEvent {
  changes: Change[]
  audit: AuditEntry[]
}

/** Everything an environment serves: what a snapshot is built from. */
export interface EnvironmentState {
  name: string
  version: number
  flags: SnapshotFlag[]
  segments: Record<string, Segment>
}

/** Counters of one variant's signals, summed over batches. */
export interface SignalCounters {
  exposures: number
  successes: number
  errors: number
  /** Units that reported an error (per batch in a bucket; first errors per stage in a rollout). */
  errorUnits: number
  latencyCount: number
  latencySumMs: number
  latencyMaxMs: number
  /** Counts per bucket of core's `LATENCY_BUCKETS_MS`, plus the last open bucket. */
  latencyBuckets: number[]
}

/** Aggregated signals of one variant of one flag in one environment and time bucket. */
export interface SignalBucket extends SignalCounters {
  environment: string
  flagKey: string
  variant: string
  /** ISO time at which the bucket starts. */
  bucketStart: string
}

/** The rollout events webhooks can subscribe to: every type the rollout controller emits. */
export const ROLLOUT_EVENT_TYPES = [
  'rollout.started',
  'rollout.promoted',
  'rollout.paused',
  'rollout.resumed',
  'rollout.reverted',
  'rollout.completed',
  'rollout.aborted',
] as const satisfies readonly RolloutEventType[]

/** Every webhook event type: the rollout events, and `ping`, which only the test endpoint sends. */
export type WebhookEventType = RolloutEventType | 'ping'

/** A webhook endpoint as listed (its signing secret is shown only when created or rotated). */
export interface WebhookEndpoint {
  /** `wh_` and 24 hex characters. */
  id: string
  /** Where events are POSTed: an http or https URL. */
  url: string
  description: string
  /** The event types sent to this endpoint; empty means every type. */
  events: (typeof ROLLOUT_EVENT_TYPES)[number][]
  /** The environments whose events are sent; empty means every environment. */
  environments: string[]
  /** A disabled endpoint gets no new deliveries (pending ones still run). */
  enabled: boolean
  /** The secret's prefix and first characters, to recognise it (`whsec_AbCd…`). */
  secretHint: string
  createdAt: string
  createdBy: string
  updatedAt: string
}

/** Where a delivery stands: waiting for an attempt, delivered (2xx), or given up on. */
export type WebhookDeliveryState = 'pending' | 'succeeded' | 'failed'

/** One HTTP attempt of a delivery. */
export interface WebhookAttempt {
  /** 1 for the first attempt. */
  attempt: number
  at: string
  /** The response status, or `null` when no response came (connection error, timeout). */
  statusCode: number | null
  /** Why the attempt failed, or `null` on success. */
  error: string | null
  durationMs: number
}

/** One event sent to one endpoint, with its attempts (oldest first). */
export interface WebhookDelivery {
  /** `whd_` and 24 hex characters; also sent as the `Floodgate-Delivery` header. */
  id: string
  endpointId: string
  /** The event's id (the payload's `id`): the same for every endpoint and every attempt. */
  eventId: string
  eventType: WebhookEventType
  /** The environment the event is about, or `null` (ping). */
  environment: string | null
  state: WebhookDeliveryState
  /** Attempts made so far. */
  attempts: number
  /** When the next attempt is due while pending; `null` once succeeded or failed. */
  nextAttemptAt: string | null
  createdAt: string
  updatedAt: string
  log: WebhookAttempt[]
}
