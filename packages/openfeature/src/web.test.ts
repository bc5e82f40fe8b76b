import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

describe('@floodgate/openfeature/web', () => {
  it('should bundle for a browser without React or the Node SDK', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./web.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions: ['@floodgate/source'],
      external: ['@openfeature/web-sdk', '@openfeature/core'],
      metafile: true,
      logLevel: 'silent',
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((input) => input.includes('packages/react/src/browserClient.ts'))).toBe(true)
    expect(inputs.filter((input) => /node_modules\/(react|react-dom)\//.test(input))).toEqual([])
    expect(inputs.filter((input) => input.includes('packages/node/'))).toEqual([])
    expect(inputs.filter((input) => input.includes('packages/react/src/Flag'))).toEqual([])
  })
})
