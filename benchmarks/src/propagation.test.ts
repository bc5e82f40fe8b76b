import { describe, expect, it } from 'vitest'
import { checkPropagation, PEER_PROPAGATION } from './propagation'

describe('checkPropagation', () => {
  it('should find every cited default in the installed packages', () => {
    const checked = checkPropagation(PEER_PROPAGATION)
    expect(checked).toHaveLength(PEER_PROPAGATION.length)
    for (const entry of checked) {
      expect(entry.version).toMatch(/^\d+\.\d+\.\d+/)
      if (entry.via) expect(entry.viaVersion).toMatch(/^\d+\.\d+\.\d+/)
    }
  })

  it('should fail when a cited file no longer says what the table claims', () => {
    const [first] = PEER_PROPAGATION
    if (!first) throw new Error('no entries')
    const stale = { ...first, source: { ...first.source, evidence: 'refreshInterval = 5 * 1000' } }
    expect(() => checkPropagation([stale])).toThrow(/no longer contains/)
  })
})
