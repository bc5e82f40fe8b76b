/**
 * Counts distinct 32-bit hashes in bounded memory: a k-minimum-values sketch.
 * Exact while fewer than `capacity` distinct values were added (up to hash
 * collisions); past that, an estimate with a relative error of about
 * 1/sqrt(capacity) (3 % at the default 1024), in 4 KiB.
 */
export class DistinctCounter {
  readonly #hashes: Uint32Array
  #size = 0

  constructor(readonly capacity = 1024) {
    this.#hashes = new Uint32Array(capacity)
  }

  add(hash: number): void {
    const h = hash >>> 0
    const hashes = this.#hashes
    let lo = 0
    let hi = this.#size
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((hashes[mid] as number) < h) lo = mid + 1
      else hi = mid
    }
    if (lo < this.#size && hashes[lo] === h) return
    if (this.#size < this.capacity) {
      hashes.copyWithin(lo + 1, lo, this.#size)
      hashes[lo] = h
      this.#size++
    } else if (lo < this.capacity) {
      hashes.copyWithin(lo + 1, lo, this.capacity - 1)
      hashes[lo] = h
    }
  }

  /** Adds every value another counter saw. */
  addAll(other: DistinctCounter): void {
    for (let i = 0; i < other.#size; i++) this.add(other.#hashes[i] as number)
  }

  /** The `limit` smallest hashes added (all of them while fewer), in increasing order. */
  smallest(limit: number): number[] {
    return Array.from(this.#hashes.subarray(0, Math.min(this.#size, Math.max(0, limit))))
  }

  count(): number {
    if (this.#size < this.capacity) return this.#size
    const kth = ((this.#hashes[this.capacity - 1] as number) + 1) / 0x100000000
    return Math.round((this.capacity - 1) / kth)
  }

  clear(): void {
    this.#size = 0
  }
}
