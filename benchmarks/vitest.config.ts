import { vitestProject } from '../tooling/vitestProject.ts'

export default vitestProject('benchmarks', { testTimeout: 60_000 })
