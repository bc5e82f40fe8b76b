import type { Generated } from 'kysely'

/**
 * The tables, as Kysely sees them. Portable SQL only: JSON as TEXT,
 * timestamps as ISO-8601 TEXT (they sort as text), counters as BIGINT read
 * back through `Number`, so the PostgreSQL store shares every query.
 */
export interface Database {
  environments: { name: string; version: number; created_at: string }
  flags: {
    key: string
    definition: string
    created_at: string
    updated_at: string
    created_by: string
    updated_by: string
  }
  flag_configs: {
    environment: string
    flag_key: string
    version: number
    config: string
    updated_at: string
    updated_by: string
  }
  flag_config_versions: {
    environment: string
    flag_key: string
    version: number
    config: string
    created_at: string
    created_by: string
  }
  segments: {
    environment: string
    key: string
    segment: string
    updated_at: string
    updated_by: string
  }
  audit_log: {
    id: Generated<number>
    at: string
    actor: string
    actor_token_id: string | null
    action: string
    environment: string | null
    resource_type: string
    resource_key: string
    environment_version: number | null
    before: string | null
    after: string | null
    reason: string | null
  }
  tokens: {
    id: string
    name: string
    scope: string
    environment: string | null
    hash: string
    hint: string
    created_at: string
    created_by: string
    revoked_at: string | null
    revoked_by: string | null
  }
  signal_batches: { environment: string; id: string; received_at: string }
  signal_buckets: SignalBucketRow
  rollouts: {
    id: string
    environment: string
    flag_key: string
    status: string
    stage_index: number
    percent: number
    plan: string
    monitor: string
    started_at: string
    stage_started_at: string
    ended_at: string | null
    state_version: number
    created_by: string
    updated_at: string
  }
  rollout_decisions: {
    id: Generated<number>
    rollout_id: string
    at: string
    action: string
    reason: string
    by: string
    stage_index: number
    evidence: string | null
  }
  rollout_signals: {
    rollout_id: string
    stage_index: number
    variant: string
    batches: number
    exposures: number
    successes: number
    errors: number
    error_units: number
    latency_count: number
    latency_sum_ms: number
    latency_max_ms: number
    /** JSON array of counts per bucket of core's `LATENCY_BUCKETS_MS`, plus the open one. */
    latency_buckets: string
  }
  rollout_batches: { rollout_id: string; batch_id: string }
  rollout_error_units: {
    rollout_id: string
    stage_index: number
    variant: string
    unit_hash: number
  }
  /** PostgreSQL only: every commit's event, read by the other replicas. */
  commit_log: { sequence: string | number; committed_at: string; event: string }
}

/** The latency histogram has one column per bucket of core's `LATENCY_BUCKETS_MS`, plus the open one. */
export const LATENCY_COLUMNS = [
  'lat_b0',
  'lat_b1',
  'lat_b2',
  'lat_b3',
  'lat_b4',
  'lat_b5',
  'lat_b6',
  'lat_b7',
  'lat_b8',
  'lat_b9',
  'lat_b10',
  'lat_b11',
] as const
export type LatencyColumn = (typeof LATENCY_COLUMNS)[number]

export type SignalBucketRow = {
  environment: string
  flag_key: string
  variant: string
  bucket_start: string
  exposures: number
  successes: number
  errors: number
  error_units: number
  latency_count: number
  latency_sum_ms: number
  latency_max_ms: number
} & Record<LatencyColumn, number>
