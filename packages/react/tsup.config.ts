import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tsupConfig } from '../../tooling/tsupConfig.ts'

const DIRECTIVE = "'use client';"

/**
 * Marks every output file as client code again. One bundle keeps no per-file
 * directive, and rollup's tree-shaking pass (which leaves one import statement
 * per package, where esbuild's kept one per source module, dead ones
 * included, in an app's bundle) drops a banner; so it is written back after
 * the build, each source map moved down the line it takes.
 */
async function markClientCode(): Promise<void> {
  const dir = 'dist'
  for (const name of await readdir(dir)) {
    if (!/\.c?js$/.test(name)) continue
    const file = join(dir, name)
    const code = await readFile(file, 'utf8')
    if (code.startsWith(DIRECTIVE)) continue
    await writeFile(file, `${DIRECTIVE}\n${code}`)
    const map = JSON.parse(await readFile(`${file}.map`, 'utf8')) as { mappings: string }
    map.mappings = `;${map.mappings}`
    await writeFile(`${file}.map`, JSON.stringify(map))
  }
}

// `browser` is the React-free entry; splitting shares its code with the main one, so there is one BrowserFlagClient.
export default tsupConfig({
  entry: ['src/index.ts', 'src/browser.ts'],
  external: ['react'],
  splitting: true,
  onSuccess: markClientCode,
})
