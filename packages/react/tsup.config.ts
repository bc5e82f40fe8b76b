import { tsupConfig } from '../../tooling/tsupConfig.ts'

// One bundle keeps no per-file directive, so a banner marks the whole package as client code;
// rollup's tree-shaking pass would drop the banner, esbuild's own keeps it. `browser` is the
// React-free entry; splitting shares its code with the main one, so there is one BrowserFlagClient.
export default tsupConfig({
  entry: ['src/index.ts', 'src/browser.ts'],
  external: ['react'],
  banner: { js: "'use client'" },
  treeshake: false,
  splitting: true,
})
