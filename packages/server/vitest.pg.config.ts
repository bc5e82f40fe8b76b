import { vitestProject } from '../../tooling/vitestProject.ts'

// Needs a PostgreSQL server (FLOODGATE_TEST_POSTGRES_URL, default the local one).
export default vitestProject('server-pg', { include: ['src/**/*.pg.test.ts'] })
