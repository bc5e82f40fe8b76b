import { tsupConfig } from '../../tooling/tsupConfig.ts'

// Two entries, one per OpenFeature SDK; what they share goes into a chunk.
export default tsupConfig({ entry: ['src/server.ts', 'src/web.ts'], splitting: true })
