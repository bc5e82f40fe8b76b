import { useEnvironments } from './api/queries'
import { setSearchParam, useLocation } from './router'

/**
 * The environment a page is about: `?env=` when it names one, else
 * `production` when it exists, else the first. Choosing another replaces the
 * query parameter, so a link or a reload keeps it.
 */
export function useEnvironmentParam(): {
  env: string | undefined
  environments: string[]
  setEnv: (env: string) => void
} {
  const { search } = useLocation()
  const { data } = useEnvironments()
  const environments = data?.map((e) => e.name) ?? []
  const asked = search.get('env')
  const env =
    asked !== null && environments.includes(asked)
      ? asked
      : environments.includes('production')
        ? 'production'
        : environments[0]
  return { env, environments, setEnv: (next) => setSearchParam('env', next) }
}
