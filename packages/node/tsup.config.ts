import { tsupConfig } from '../../tooling/tsupConfig.ts'

export default tsupConfig()
