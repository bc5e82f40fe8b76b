import fc from 'fast-check'
import murmurHash3 from 'murmurhash3js-revisited'
import { describe, expect, it } from 'vitest'
import { bucket, SaltedBucketer } from './bucket'

/** The hashing vectors of DESIGN.md: a change to the hash, salt or encoding breaks this. */
const VECTORS: [salt: string, unit: string, hash32: number, bucket: number][] = [
  ['new-checkout', 'user-1', 2230340631, 631],
  ['new-checkout', 'user-2', 992310789, 789],
  ['new-checkout', 'alice@example.com', 3183876218, 6218],
  ['dark-mode', '42', 3831878303, 8303],
  ['new-checkout', 'ünïcødé-用户', 201106052, 6052],
  ['new-checkout', '', 4083007121, 7121],
]

const encoder = new TextEncoder()

/** Chi-square statistic of observed counts against one expected count per cell. */
function chiSquare(observed: number[], expected: number): number {
  return observed.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0)
}

describe('bucket', () => {
  it.each(VECTORS)('should put %s:%s in its pinned bucket', (salt, unit, hash32, expected) => {
    expect(murmurHash3.x86.hash32(encoder.encode(`${salt}:${unit}`), 0)).toBe(hash32)
    expect(bucket(salt, unit)).toBe(expected)
    expect(new SaltedBucketer(salt).bucket(unit)).toBe(expected)
  })

  it('should equal the UTF-8 definition for any salt and unit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (salt, unit) => {
        const expected = murmurHash3.x86.hash32(encoder.encode(`${salt}:${unit}`), 0) % 10000
        expect(bucket(salt, unit)).toBe(expected)
        expect(new SaltedBucketer(salt).bucket(unit)).toBe(expected)
      }),
      { numRuns: 2000 },
    )
  })

  it('should spread 100k ids uniformly over the buckets (chi-square, 100 bins)', () => {
    const bins = new Array<number>(100).fill(0)
    const n = 100_000
    for (let i = 0; i < n; i++) {
      const b = bucket('new-checkout', `user-${i}`)
      bins[Math.floor(b / 100)] = (bins[Math.floor(b / 100)] ?? 0) + 1
    }
    // 99 degrees of freedom: the 0.1 % critical value is 148.2.
    expect(chiSquare(bins, n / 100)).toBeLessThan(148.2)
  })

  it('should make two flags with different salts independent (chi-square, 10×10)', () => {
    const cells = new Array<number>(100).fill(0)
    const n = 100_000
    const a = new SaltedBucketer('new-checkout')
    const b = new SaltedBucketer('dark-mode')
    for (let i = 0; i < n; i++) {
      const unit = `user-${i}`
      const cell = Math.floor(a.bucket(unit) / 1000) * 10 + Math.floor(b.bucket(unit) / 1000)
      cells[cell] = (cells[cell] ?? 0) + 1
    }
    // Independence of two uniform deciles: 81 degrees of freedom, 0.1 % critical value 124.8.
    expect(chiSquare(cells, n / 100)).toBeLessThan(124.8)
  })
})
