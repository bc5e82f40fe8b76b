/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a string, streamed from
 * `charCodeAt` so that no byte array is allocated. Lone surrogates are encoded
 * as U+FFFD (EF BF BD), exactly as `TextEncoder` does, so the result equals
 * the reference implementation run over `new TextEncoder().encode(input)`.
 */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593
/** The modulus that keeps the whole 32-bit hash. */
const FULL = 0x100000000

/** The hash state after some bytes: resumable, so a constant prefix is hashed once. */
export interface Murmur3State {
  /** The running hash. */
  readonly h: number
  /** Bytes of the block in progress, little-endian. */
  readonly k: number
  /** Bits already in `k` (0, 8, 16 or 24). */
  readonly shift: number
  /** Bytes hashed so far. */
  readonly length: number
}

/** The 32-bit hash (unsigned) of the UTF-8 encoding of `input`. */
export function murmur3(input: string, seed = 0): number {
  return run(seed | 0, 0, 0, 0, input, FULL)
}

/**
 * The state after hashing `prefix`; finish it with `murmur3Resume`. The
 * prefix must not end in a high surrogate (it would pair with what follows);
 * bucketing prefixes end in `:`.
 */
export function murmur3Prefix(prefix: string, seed = 0): Murmur3State {
  run(seed | 0, 0, 0, 0, prefix, 0)
  return { h: scratch.h, k: scratch.k, shift: scratch.shift, length: scratch.length }
}

/**
 * The hash of the prefix behind `state` followed by `rest` (equal to
 * `murmur3(prefix + rest)`), reduced mod `modulus` inside the hashing
 * function: a small result stays a small integer, where returning a full
 * 32-bit hash would allocate a heap number per call.
 */
export function murmur3Resume(state: Murmur3State, rest: string, modulus = FULL): number {
  return run(state.h, state.k, state.shift, state.length, rest, modulus)
}

const scratch = { h: 0, k: 0, shift: 0, length: 0 }

function mixBlock(h: number, k: number): number {
  let k1 = Math.imul(k, C1)
  k1 = (k1 << 15) | (k1 >>> 17)
  let h1 = h ^ Math.imul(k1, C2)
  h1 = (h1 << 13) | (h1 >>> 19)
  return (Math.imul(h1, 5) + 0xe6546b64) | 0
}

function run(
  hIn: number,
  kIn: number,
  shiftIn: number,
  lengthIn: number,
  s: string,
  /** 0: save the state in `scratch`; else finish and return the hash mod this. */
  modulus: number,
): number {
  let h = hIn
  let k = kIn
  let shift = shiftIn
  let length = lengthIn
  const n = s.length
  for (let i = 0; i < n; i++) {
    // Fast path: a whole block of four ASCII characters.
    if (shift === 0 && i + 3 < n) {
      const c0 = s.charCodeAt(i)
      const c1 = s.charCodeAt(i + 1)
      const c2 = s.charCodeAt(i + 2)
      const c3 = s.charCodeAt(i + 3)
      if ((c0 | c1 | c2 | c3) < 0x80) {
        h = mixBlock(h, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))
        length += 4
        i += 3
        continue
      }
    }
    const c = s.charCodeAt(i)
    if (c < 0x80) {
      k |= c << shift
      length++
      if (shift === 24) {
        h = mixBlock(h, k)
        k = 0
        shift = 0
      } else {
        shift += 8
      }
      continue
    }
    // Up to four UTF-8 bytes packed little-endian, first byte lowest.
    let bytes: number
    let count: number
    if (c < 0x800) {
      bytes = 0xc0 | (c >> 6) | ((0x80 | (c & 0x3f)) << 8)
      count = 2
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes = 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16)
      count = 3
    } else {
      const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        bytes =
          0xf0 |
          (cp >> 18) |
          ((0x80 | ((cp >> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24)
        count = 4
        i++
      } else {
        bytes = 0xef | (0xbf << 8) | (0xbd << 16)
        count = 3
      }
    }
    for (let j = 0; j < count; j++) {
      k |= (bytes & 0xff) << shift
      bytes >>>= 8
      length++
      if (shift === 24) {
        h = mixBlock(h, k)
        k = 0
        shift = 0
      } else {
        shift += 8
      }
    }
  }
  if (modulus === 0) {
    scratch.h = h
    scratch.k = k
    scratch.shift = shift
    scratch.length = length
    return 0
  }
  if (shift > 0) {
    let k1 = Math.imul(k, C1)
    k1 = (k1 << 15) | (k1 >>> 17)
    h ^= Math.imul(k1, C2)
  }
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) % modulus
}
