import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * The built dashboard (`@floodgate/dashboard`'s `dist`), found by package
 * resolution from this module, or `undefined` when the package is not
 * installed or not built: the server then serves the API alone.
 */
export function findDashboardDir(): string | undefined {
  let manifest: string
  try {
    manifest = createRequire(import.meta.url).resolve('@floodgate/dashboard/package.json')
  } catch {
    return undefined
  }
  const dist = join(dirname(manifest), 'dist')
  return existsSync(join(dist, 'index.html')) ? dist : undefined
}
