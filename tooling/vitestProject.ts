import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

/**
 * Shared vitest project settings: packages resolve each other's `src/` through
 * the `@floodgate/source` export condition, so tests never need a build.
 */
export function vitestProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@floodgate/source'] },
    ssr: { resolve: { conditions: ['@floodgate/source'] } },
    test: {
      name,
      include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
      typecheck: { enabled: true, include: ['src/**/*.test-d.{ts,tsx}'] },
      // Property tests and real-server tests share two cores with the rest of the
      // suite; a generous timeout keeps a loaded machine from failing them.
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...test,
    },
  })
}
