import { vitestProject } from '../../tooling/vitestProject.ts'

// The PostgreSQL tests have a project of their own (vitest.pg.config.ts).
export default vitestProject('server', { exclude: ['**/node_modules/**', 'src/**/*.pg.test.ts'] })
