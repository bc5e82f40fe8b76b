import { vitestProject } from '../../tooling/vitestProject.ts'

export default vitestProject('openfeature')
