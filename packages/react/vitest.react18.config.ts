import { vitestProject } from '../../tooling/vitestProject.ts'

/** The same tests against React 18: react, react-dom and testing-library from tooling/react18. */
const react18 = decodeURIComponent(
  new URL('../../tooling/react18/node_modules/', import.meta.url).pathname,
)

export default vitestProject('react-18', {
  environment: 'jsdom',
  setupFiles: ['src/testUtils/setup.ts'],
  provide: { reactMajor: '18' },
  typecheck: { enabled: false },
  alias: [
    { find: /^(react|react-dom|@testing-library\/react)(\/.*)?$/, replacement: `${react18}$1$2` },
  ],
})
