import react from '@vitejs/plugin-react'
import { mergeConfig } from 'vitest/config'
import { vitestProject } from '../../tooling/vitestProject.ts'

// Component tests: jsdom, against a real server on a free port (msw only for failures).
export default mergeConfig(
  { plugins: [react()] },
  vitestProject('dashboard', {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/testUtils/setup.ts'],
  }),
)
