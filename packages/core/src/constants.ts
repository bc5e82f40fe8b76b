/**
 * Constants of the data model that evaluation needs at run time. They live
 * apart from the zod schemas so that evaluation code (and a browser bundle)
 * can use them without loading zod.
 */

/** Flag keys: lowercase, digits, `.`, `_`, `-`; at most 128 characters. */
export const FLAG_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/
/** Variant names, segment keys and environment names share a slightly wider pattern. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
/** Environment names. */
export const ENVIRONMENT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/
/** Weights are basis points: a split's weights sum to exactly this. */
export const TOTAL_WEIGHT = 10000
/** Most error-unit hashes one variant of one flag carries in a signals batch. */
export const MAX_ERROR_UNIT_HASHES = 256
/** Seed of the error-unit hashes, unlike the bucketing one so they do not echo split buckets. */
export const ERROR_UNIT_HASH_SEED = 0x5f10_0d9a
/** Upper bounds (ms) of the latency histogram buckets; a last, open bucket follows. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const
/** Every condition operator, in the order the documentation lists them. */
export const CONDITION_OPS = [
  'in',
  'notIn',
  'eq',
  'neq',
  'contains',
  'startsWith',
  'endsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  'semverGt',
  'semverLt',
  'semverEq',
  'before',
  'after',
  'inSegment',
  'notInSegment',
  'exists',
  'notExists',
] as const

/** Browsers refuse a keepalive request whose body would pass 64 KiB in flight; keep room for others. */
export const KEEPALIVE_BODY_LIMIT = 60_000
