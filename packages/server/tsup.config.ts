import { tsupConfig } from '../../tooling/tsupConfig.ts'

// Shims give the CommonJS build an `import.meta.url`, which finds the dashboard's files.
export default tsupConfig({ entry: ['src/index.ts', 'src/cli.ts'], shims: true })
