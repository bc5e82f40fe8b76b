import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { packageRoot } from '../packageRoot'

/** `react`: the SDK with its React binding (`<id>.tsx`); `core`: the SDK alone (`<id>.core.ts`). */
export type BundleKind = 'react' | 'core'

/** One entry file of `src/bundles/entries/`. */
export interface BundleEntry {
  id: string
  kind: BundleKind
  /** Absolute path. */
  file: string
}

/** A package that put code into a bundle. */
export interface BundleContributor {
  name: string
  version: string
  bytes: number
}

/** The sizes of one entry's production bundle. */
export interface BundleSize {
  id: string
  kind: BundleKind
  /** The packages the entry imports, with their installed versions. */
  packages: { name: string; version: string }[]
  minifiedBytes: number
  gzipBytes: number
  brotliBytes: number
  /** Minified bytes per package, largest first (the entry's own few lines left out). */
  contributors: BundleContributor[]
}

const OWN_PACKAGE = '@floodgate/benchmarks'

/** Packages every app already has; left out of every bundle. */
const EXTERNAL = ['react', 'react-dom', 'react/*', 'react-dom/*']

/** The entry files, sorted; `only` keeps the given ids. */
export function bundleEntries(only?: readonly string[]): BundleEntry[] {
  const dir = join(packageRoot(), 'src', 'bundles', 'entries')
  return readdirSync(dir)
    .flatMap((name): BundleEntry[] => {
      const match = /^([a-z0-9-]+?)(\.core)?\.tsx?$/.exec(name)
      if (!match?.[1]) return []
      return [{ id: match[1], kind: match[2] ? 'core' : 'react', file: join(dir, name) }]
    })
    .filter((entry) => !only || only.includes(entry.id))
    .sort((a, b) => a.id.localeCompare(b.id) || a.kind.localeCompare(b.kind))
}

/**
 * Bundles one entry as an app's production build would (esbuild, ESM,
 * browser platform, minified, `NODE_ENV=production`, React external, and
 * the browsers Vite 7 builds for by default: Chrome and Edge 107, Firefox
 * 104, Safari 16) and measures it raw, gzipped (level 9) and
 * brotli-compressed (quality 11).
 */
export async function measureBundle(entry: BundleEntry): Promise<BundleSize> {
  const result = await build({
    entryPoints: [entry.file],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome107', 'edge107', 'firefox104', 'safari16'],
    jsx: 'automatic',
    external: EXTERNAL,
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: packageRoot(),
    outfile: join(packageRoot(), 'dist', 'bundles', `${entry.id}.${entry.kind}.js`),
  })
  const output = result.outputFiles[0]
  if (!output) throw new Error(`esbuild produced no output for ${entry.file}`)
  const code = output.contents
  const [metaOutput] = Object.values(result.metafile.outputs)
  const bytesByPackage = new Map<string, BundleContributor>()
  for (const [input, { bytesInOutput }] of Object.entries(metaOutput?.inputs ?? {})) {
    const owner = owningPackage(join(packageRoot(), input))
    if (!owner || owner.name === OWN_PACKAGE || bytesInOutput === 0) continue
    const key = `${owner.name}@${owner.version}`
    const current = bytesByPackage.get(key) ?? { ...owner, bytes: 0 }
    current.bytes += bytesInOutput
    bytesByPackage.set(key, current)
  }
  const entryInput = result.metafile.inputs[relative(packageRoot(), entry.file)]
  const direct = new Set(
    (entryInput?.imports ?? [])
      .filter((i) => !i.external)
      .map((i) => owningPackage(join(packageRoot(), i.path)))
      .filter((owner) => owner !== undefined)
      .map((owner) => `${owner.name}@${owner.version}`),
  )
  return {
    id: entry.id,
    kind: entry.kind,
    packages: [...direct].sort().map((key) => {
      const at = key.lastIndexOf('@')
      return { name: key.slice(0, at), version: key.slice(at + 1) }
    }),
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    brotliBytes: brotliCompressSync(code, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
    }).byteLength,
    contributors: [...bytesByPackage.values()].sort((a, b) => b.bytes - a.bytes),
  }
}

const owners = new Map<string, { name: string; version: string } | undefined>()

/** The nearest enclosing `package.json` that has a name: the package a file belongs to. */
function owningPackage(file: string): { name: string; version: string } | undefined {
  let dir = dirname(file)
  const visited: string[] = []
  let found: { name: string; version: string } | undefined
  for (;;) {
    if (owners.has(dir)) {
      found = owners.get(dir)
      break
    }
    visited.push(dir)
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8'))
      if (typeof name === 'string') {
        found = { name, version: typeof version === 'string' ? version : 'unknown' }
        break
      }
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  for (const d of visited) owners.set(d, found)
  return found
}
