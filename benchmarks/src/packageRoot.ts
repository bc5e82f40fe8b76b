import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = '@floodgate/benchmarks'

let cached: string | undefined

/**
 * The benchmarks package directory, found by walking up from this module, so
 * the same code works from `src/` (tests) and from the built `dist/`.
 */
export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && readJson(manifest).name === PACKAGE_NAME) {
      cached = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package directory`)
    dir = parent
  }
}

/** The absolute path of a file in `definitions/`. */
export function definitionPath(file: string): string {
  return join(packageRoot(), 'definitions', file)
}

/** Reads and parses a JSON file from `definitions/`. */
export function readDefinition(file: string): unknown {
  return readJson(definitionPath(file))
}

/** The installed version of one of the benchmarks package's dependencies. */
export function installedVersion(packageName: string): string {
  const manifest = readJson(join(packageRoot(), 'node_modules', packageName, 'package.json'))
  return typeof manifest.version === 'string' ? manifest.version : 'unknown'
}

function readJson(path: string): { name?: unknown; version?: unknown } {
  return JSON.parse(readFileSync(path, 'utf8'))
}
