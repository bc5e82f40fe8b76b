import { vitestProject } from '../../tooling/vitestProject.ts'

// A production build, the real server serving it, Debian's chromium and real SDK clients.
export default vitestProject('dashboard-browser', {
  include: ['test/**/*.browser.test.ts'],
  testTimeout: 90_000,
  hookTimeout: 120_000,
})
