import { readFileSync } from 'node:fs'
import { tsupConfig } from '../tooling/tsupConfig.ts'

const { devDependencies = {} } = JSON.parse(readFileSync('package.json', 'utf8'))

// The harness is bundled, the SDKs under test are not: each one loads from
// node_modules exactly as it would in an app (which is what cold start times).
export default tsupConfig({
  entry: [
    'src/run.ts',
    'src/evalWorker.ts',
    'src/coldStartWorker.ts',
    'src/push/pushWorker.ts',
    'src/adapters/*.ts',
  ],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: false,
  external: [...Object.keys(devDependencies), /^@floodgate\//],
})
