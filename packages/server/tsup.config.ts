import { tsupConfig } from '../../tooling/tsupConfig.ts'

export default tsupConfig({ entry: ['src/index.ts', 'src/cli.ts'] })
