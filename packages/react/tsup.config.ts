import { tsupConfig } from '../../tooling/tsupConfig.ts'

// One bundle keeps no per-file directive, so a banner marks the whole package as client code;
// rollup's tree-shaking pass would drop the banner, esbuild's own keeps it.
export default tsupConfig({ external: ['react'], banner: { js: "'use client'" }, treeshake: false })
