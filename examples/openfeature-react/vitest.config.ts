import { vitestProject } from '../../tooling/vitestProject.ts'

// A real server, a production build of the app and a real browser: slower than a unit test.
export default vitestProject('example-openfeature-react', {
  testTimeout: 60_000,
  hookTimeout: 120_000,
})
