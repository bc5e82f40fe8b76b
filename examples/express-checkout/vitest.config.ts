import { vitestProject } from '../../tooling/vitestProject.ts'

export default vitestProject('express-checkout')
