// @vitest-environment node
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dist = fileURLToPath(new URL('../dist/', import.meta.url))

/** The bare specifiers a built module imports, following its relative imports (chunks). */
function packagesImportedBy(file: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>()
  if (seen.has(file)) return packages
  seen.add(file)
  const code = readFileSync(file, 'utf8')
  for (const [, specifier] of code.matchAll(/(?:from|import|require\()\s*["']([^"']+)["']/g)) {
    if (specifier === undefined) continue
    if (specifier.startsWith('.')) {
      for (const p of packagesImportedBy(join(dirname(file), specifier), seen)) packages.add(p)
    } else {
      packages.add(specifier)
    }
  }
  return packages
}

/** On the built package (`pnpm build` first): what an app's bundler and Node see. */
describe('@floodgate/react/browser', () => {
  it('should load no React, in either format', () => {
    expect([...packagesImportedBy(join(dist, 'browser.js'))]).toEqual(['@floodgate/core'])
    expect([...packagesImportedBy(join(dist, 'browser.cjs'))]).toEqual(['@floodgate/core'])
    expect(packagesImportedBy(join(dist, 'index.js'))).toContain('react')
  })

  it('should share one of each browser client with the main entry', async () => {
    const browser = await import(join(dist, 'browser.js'))
    const main = await import(join(dist, 'index.js'))
    const names = [
      'BrowserFlagClient',
      'RemoteBrowserClient',
      'createBrowserClient',
      'createRemoteBrowserClient',
    ]
    expect(Object.keys(browser).sort()).toEqual(names)
    for (const name of names) expect(browser[name], name).toBe(main[name])
  })
})
