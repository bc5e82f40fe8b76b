import fc from 'fast-check'
import murmurHash3 from 'murmurhash3js-revisited'
import { describe, expect, it } from 'vitest'
import { murmur3, murmur3Prefix, murmur3Resume } from './murmur3'

const encoder = new TextEncoder()
const reference = (s: string, seed = 0) => murmurHash3.x86.hash32(encoder.encode(s), seed)

/** Any UTF-16 code units, lone and reversed surrogates included. */
const codeUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((units) => String.fromCharCode(...units))
/** Strings weighted toward surrogates and multi-byte boundaries. */
const tricky = fc
  .array(
    fc.constantFrom(
      'a',
      'é',
      '用',
      '😀',
      '\uD800',
      '\uDFFF',
      '\uDBFF\uDC00',
      '\u07FF',
      '\u0800',
      '\uFFFF',
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''))
const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string(), codeUnits, tricky)

describe('murmur3', () => {
  it('should equal the reference over TextEncoder bytes for every string', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
        expect(murmur3(s, seed)).toBe(reference(s, seed))
      }),
      { numRuns: 3000 },
    )
  })

  it('should encode a lone surrogate as EF BF BD, like TextEncoder', () => {
    expect(murmur3('\uD800')).toBe(murmurHash3.x86.hash32([0xef, 0xbf, 0xbd], 0))
    expect(murmur3('x\uDC00')).toBe(murmurHash3.x86.hash32([0x78, 0xef, 0xbf, 0xbd], 0))
  })
})

describe('murmur3Resume', () => {
  it('should equal hashing the prefix and the rest together', () => {
    const endsInHighSurrogate = (s: string) => /[\uD800-\uDBFF]$/.test(s)
    fc.assert(
      fc.property(anyString, anyString, (prefix, rest) => {
        fc.pre(!endsInHighSurrogate(prefix))
        expect(murmur3Resume(murmur3Prefix(prefix), rest)).toBe(reference(prefix + rest))
      }),
      { numRuns: 3000 },
    )
  })
})
