import { vitestProject } from '../../tooling/vitestProject.ts'

// Component tests: jsdom, against a real server on a free port (msw only for failures).
export default vitestProject('dashboard', {
  environment: 'jsdom',
  include: ['src/**/*.test.{ts,tsx}'],
  setupFiles: ['src/testUtils/setup.ts'],
})
