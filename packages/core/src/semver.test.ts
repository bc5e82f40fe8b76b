import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SEMVER_PATTERN } from './schemas'
import { compareSemver, parseSemver, type Semver } from './semver'

const parse = (s: string): Semver => {
  const v = parseSemver(s)
  if (!v) throw new Error(`not a version: ${s}`)
  return v
}

describe('parseSemver', () => {
  it('should accept exactly what SEMVER_PATTERN accepts', () => {
    const parts = fc.constantFrom('0', '1', '01', '10', 'v', '.', '-', '+', 'a', 'rc', 'x-y', '')
    const candidates = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.array(parts, { maxLength: 12 }).map((p) => p.join('')),
      fc
        .tuple(fc.nat(), fc.nat(), fc.nat(), fc.array(parts, { maxLength: 6 }))
        .map(([a, b, c, rest]) => `${a}.${b}.${c}${rest.join('')}`),
    )
    fc.assert(
      fc.property(candidates, (s) => {
        expect(parseSemver(s) !== undefined).toBe(SEMVER_PATTERN.test(s))
      }),
      { numRuns: 5000 },
    )
  })
})

describe('compareSemver', () => {
  it('should order versions by semver precedence', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.2.0',
      '1.10.0',
      '2.0.0',
      '90071992547409930.0.0',
    ]
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const c = compareSemver(parse(ordered[i] as string), parse(ordered[j] as string))
        expect(Math.sign(c)).toBe(Math.sign(i - j))
      }
    }
  })

  it('should ignore build metadata and a leading v', () => {
    expect(compareSemver(parse('v1.2.3+build.1'), parse('1.2.3'))).toBe(0)
  })
})
