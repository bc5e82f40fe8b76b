import { LATENCY_COLUMNS, type LatencyColumn, type SignalBucketRow } from './database'
import type { SignalsInput } from './store'

/** One batch's counts for one bucket row, with the batch it came from (`null`: a batch without id). */
export type SignalRow = SignalBucketRow & { batch_id: string | null; received_at: string }

/** The counter columns, summed when rows meet (the maximum latency is the one column taken by `max`). */
export const SUMMED_COLUMNS = [
  'exposures',
  'successes',
  'errors',
  'error_units',
  'latency_count',
  'latency_sum_ms',
  ...LATENCY_COLUMNS,
] as const satisfies readonly (keyof SignalBucketRow)[]

/** Where a row adds up: its bucket, and its batch when the batch has an id (so a duplicate batch can be dropped whole). */
function rowKey(row: SignalRow): string {
  return [row.environment, row.batch_id ?? '', row.flag_key, row.variant, row.bucket_start].join(
    '\u0000',
  )
}

/**
 * The rows of many batches, aggregated before they reach the database: a
 * batch id repeated in the list counts once, and rows of batches without id
 * that meet in one bucket are summed.
 */
export function signalRows(inputs: readonly SignalsInput[]): {
  rows: SignalRow[]
  batches: { environment: string; id: string; received_at: string }[]
} {
  const rows = new Map<string, SignalRow>()
  const batches = new Map<string, { environment: string; id: string; received_at: string }>()
  for (const { environment, batch, bucketStart, receivedAt } of inputs) {
    if (batch.id !== undefined) {
      const key = `${environment}\u0000${batch.id}`
      if (batches.has(key)) continue
      batches.set(key, { environment, id: batch.id, received_at: receivedAt })
    }
    for (const [flagKey, variants] of Object.entries(batch.flags)) {
      for (const [variant, s] of Object.entries(variants)) {
        const latency = s.latencyMs
        const histogram = Object.fromEntries(
          LATENCY_COLUMNS.map((column, i) => [column, latency?.buckets[i] ?? 0]),
        ) as Record<LatencyColumn, number>
        const row: SignalRow = {
          environment,
          batch_id: batch.id ?? null,
          received_at: receivedAt,
          flag_key: flagKey,
          variant,
          bucket_start: bucketStart,
          exposures: s.exposures,
          successes: s.successes,
          errors: s.errors,
          error_units: s.errorUnits,
          latency_count: latency?.count ?? 0,
          latency_sum_ms: latency?.sumMs ?? 0,
          latency_max_ms: latency?.maxMs ?? 0,
          ...histogram,
        }
        const key = rowKey(row)
        const existing = rows.get(key)
        if (existing) addRow(existing, row)
        else rows.set(key, row)
      }
    }
  }
  return { rows: [...rows.values()], batches: [...batches.values()] }
}

/** Sums rows per bucket (environment, flag, variant, bucket start). */
export function sumByBucket(rows: readonly SignalRow[]): SignalBucketRow[] {
  const sums = new Map<string, SignalBucketRow>()
  for (const { batch_id: _batch, received_at: _received, ...row } of rows) {
    const key = [row.environment, row.flag_key, row.variant, row.bucket_start].join('\u0000')
    const existing = sums.get(key)
    if (existing) addRow(existing, row)
    else sums.set(key, { ...row })
  }
  return [...sums.values()]
}

function addRow(into: SignalBucketRow, row: SignalBucketRow): void {
  for (const column of SUMMED_COLUMNS) into[column] += row[column]
  into.latency_max_ms = Math.max(into.latency_max_ms, row.latency_max_ms)
}
