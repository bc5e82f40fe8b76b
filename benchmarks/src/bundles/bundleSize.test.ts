import { describe, expect, it } from 'vitest'
import { bundleEntries, measureBundle } from './bundleSize'

describe('bundleEntries', () => {
  it('should find a React entry and an SDK-only entry per SDK', () => {
    const entries = bundleEntries()
    const ids = [...new Set(entries.map((e) => e.id))]
    expect(ids).toContain('unleash')
    for (const id of ids) {
      expect(entries.filter((e) => e.id === id).map((e) => e.kind)).toEqual(['core', 'react'])
    }
  })

  it('should keep only the ids asked for', () => {
    expect(bundleEntries(['growthbook']).map((e) => e.id)).toEqual(['growthbook', 'growthbook'])
  })
})

describe('measureBundle', () => {
  it('should measure a minified bundle and attribute its bytes to the SDK', async () => {
    const [entry] = bundleEntries(['unleash']).filter((e) => e.kind === 'core')
    if (!entry) throw new Error('missing unleash.core.ts')
    const size = await measureBundle(entry)
    expect(size.packages.map((p) => p.name)).toEqual(['unleash-proxy-client'])
    expect(size.gzipBytes).toBeLessThan(size.minifiedBytes)
    expect(size.brotliBytes).toBeLessThan(size.gzipBytes)
    expect(size.contributors[0]?.name).toBe('unleash-proxy-client')
    const attributed = size.contributors.reduce((sum, c) => sum + c.bytes, 0)
    expect(attributed).toBeLessThanOrEqual(size.minifiedBytes)
    expect(attributed).toBeGreaterThan(size.minifiedBytes * 0.9)
  })
})
