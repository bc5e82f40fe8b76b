import { LATENCY_BUCKETS_MS } from './constants'

/** The histogram bucket of a latency: the first bound it does not exceed, else the open last one. */
export function latencyBucket(ms: number): number {
  for (let b = 0; b < LATENCY_BUCKETS_MS.length; b++) {
    if (ms <= (LATENCY_BUCKETS_MS[b] as number)) return b
  }
  return LATENCY_BUCKETS_MS.length
}
