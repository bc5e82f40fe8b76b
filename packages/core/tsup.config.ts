import { EVERY_MODULE, tsupConfig } from '../../tooling/tsupConfig.ts'

// One file per module, so an app's bundler drops whole modules it does not use (zod, in a browser).
export default tsupConfig({ entry: EVERY_MODULE, splitting: true, dts: { entry: 'src/index.ts' } })
