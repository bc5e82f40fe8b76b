import { TOTAL_WEIGHT } from './constants'
import { type Murmur3State, murmur3, murmur3Prefix, murmur3Resume } from './murmur3'

/**
 * The bucket (0–9999) of a unit under a salt: MurmurHash3 x86 32-bit, seed 0,
 * over the UTF-8 bytes of `salt + ":" + unit`, mod 10000. Bit-exact across
 * every Floodgate SDK; a split serves the first variant whose cumulative
 * weight is greater than the bucket.
 *
 * @example
 * bucket('new-checkout', 'user-1') // 631: inside a 10 % canary (< 1000)
 */
export function bucket(salt: string, unit: string): number {
  return murmur3(`${salt}:${unit}`) % TOTAL_WEIGHT
}

/**
 * `bucket` with the `salt:` prefix hashed once: what a compiled flag keeps per
 * salt so that an evaluation hashes only the unit.
 */
export class SaltedBucketer {
  private readonly state: Murmur3State

  constructor(readonly salt: string) {
    this.state = murmur3Prefix(`${salt}:`)
  }

  /** Equal to `bucket(this.salt, unit)`. */
  bucket(unit: string): number {
    return murmur3Resume(this.state, unit, TOTAL_WEIGHT)
  }
}
