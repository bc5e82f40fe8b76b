import { describe, expect, it } from 'vitest'
import { bundleEntries, measureBundle } from './bundleSize'

/**
 * The most a browser app may pay, gzipped, for `@floodgate/core` +
 * `@floodgate/react` (`entries/floodgate.tsx`: a provider that connects, one
 * flag read). Measured on the built packages (`pnpm build` first), as an app
 * bundles them. Raise it only with a reason written in docs/benchmarks.md.
 */
const BUDGET_GZIP_BYTES = 27_000

describe('the browser bundle budget', () => {
  it('should keep @floodgate/core + @floodgate/react within budget, zod out of it', async () => {
    const [entry] = bundleEntries(['floodgate']).filter((e) => e.kind === 'react')
    if (!entry) throw new Error('missing entries/floodgate.tsx')
    const size = await measureBundle(entry)
    const packages = size.contributors.map((c) => c.name)
    expect(packages).toContain('@floodgate/core')
    expect(packages).toContain('@floodgate/react')
    // The server-side schemas stay out: the SDK checks what it receives without zod.
    expect(packages).not.toContain('zod')
    expect(size.gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES)
  })
})
