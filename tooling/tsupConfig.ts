import { defineConfig, type Options } from 'tsup'

/** Every module of a package as an entry (tests and test utilities left out): one output file per module. */
export const EVERY_MODULE = [
  'src/**/*.ts',
  '!src/**/*.test.ts',
  '!src/**/*.test-d.ts',
  '!src/testUtils/**',
]

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
