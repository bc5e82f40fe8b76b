/** A seeded uniform generator in [0, 1) (mulberry32): tests that simulate must be reproducible. */
export function seededRandom(seed: number): () => number {
  let s = seed | 0
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A Poisson draw by inversion: fine for the small means (below ~100) tests use. */
export function poisson(random: () => number, mean: number): number {
  let k = 0
  let p = Math.exp(-mean)
  let cdf = p
  const u = random()
  while (u > cdf && p > 0) {
    k++
    p *= mean / k
    cdf += p
  }
  return k
}
