// @vitest-environment node
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'
import { describe, expect, it } from 'vitest'

const dist = fileURLToPath(new URL('../dist', import.meta.url))
const outputs = () => readdirSync(dist).filter((name) => /\.c?js$/.test(name))

/** Where the built `file` throws the missing-provider error, traced back through its source map. */
function traceProviderMissing(file: string) {
  const lines = readFileSync(join(dist, file), 'utf8').split('\n')
  const line = lines.findIndex((text) => text.includes('"PROVIDER_MISSING"'))
  if (line < 0) throw new Error(`${file} does not throw PROVIDER_MISSING`)
  const column = lines[line]?.indexOf('"PROVIDER_MISSING"') ?? 0
  const map = new TraceMap(readFileSync(join(dist, `${file}.map`), 'utf8'))
  return originalPositionFor(map, { line: line + 1, column })
}

// On the built package (`pnpm build` first), as an app installs it.
describe('the built package', () => {
  it('should mark every output file as client code, for React Server Components', () => {
    expect(outputs().length).toBeGreaterThanOrEqual(4)
    for (const name of outputs()) {
      expect(readFileSync(join(dist, name), 'utf8').split('\n')[0], name).toBe("'use client';")
    }
  })

  it.each(['index.js', 'index.cjs'])('should map %s back to its source lines', (file) => {
    const position = traceProviderMissing(file)
    expect(position.source).toBe('../src/flagContext.ts')
    const source = readFileSync(
      fileURLToPath(new URL('../src/flagContext.ts', import.meta.url)),
      'utf8',
    )
    expect(source.split('\n')[(position.line ?? 0) - 1]).toContain("'PROVIDER_MISSING'")
  })
})
