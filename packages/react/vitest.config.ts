import { vitestProject } from '../../tooling/vitestProject.ts'

export default vitestProject('react', {
  environment: 'jsdom',
  setupFiles: ['src/testUtils/setup.ts'],
  provide: { reactMajor: '19' },
})
