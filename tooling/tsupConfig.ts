import { defineConfig, type Options } from 'tsup'

/**
 * The one build setup every package shares: ESM + CJS + `.d.ts`, tests and
 * test utilities left out. A package's `tsup.config.ts` only names its entries.
 */
export function tsupConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: false,
    treeshake: true,
    ...overrides,
  })
}
