import { type QueryClient, useQueries, useQuery } from '@tanstack/react-query'
import { useAdminApi } from './AdminApiProvider'
import type { AuditEntry, AuditFilters, Environment, RolloutEvent } from './types'

/**
 * Query keys. Each starts with what it is about, so a change pushed by the
 * admin stream can refresh exactly the queries it affects.
 */
export const keys = {
  environments: ['environments'] as const,
  flags: ['flags'] as const,
  flag: (key: string) => ['flags', key] as const,
  configs: (env: string) => ['configs', env] as const,
  config: (env: string, key: string) => ['configs', env, key] as const,
  versions: (env: string, key: string) => ['versions', env, key] as const,
  rollout: (env: string, key: string) => ['rollout', env, key] as const,
  rollouts: (env: string, key: string) => ['rollouts', env, key] as const,
  health: (env: string, key: string) => ['health', env, key] as const,
  signals: (env: string, key: string) => ['signals', env, key] as const,
  audit: ['audit'] as const,
  tokens: ['tokens'] as const,
  webhooks: ['webhooks'] as const,
  deliveries: (id: string) => ['webhooks', id, 'deliveries'] as const,
}

const PIPELINE = ['development', 'staging', 'production']

/** Environments in the order changes travel: by creation, the default three as a pipeline. */
export function pipelineOrder(environments: Environment[]): Environment[] {
  const rank = (name: string) => {
    const i = PIPELINE.indexOf(name)
    return i === -1 ? PIPELINE.length : i
  }
  return [...environments].sort(
    (a, b) =>
      a.createdAt.localeCompare(b.createdAt) ||
      rank(a.name) - rank(b.name) ||
      a.name.localeCompare(b.name),
  )
}

export function useEnvironments() {
  const api = useAdminApi()
  return useQuery({
    queryKey: keys.environments,
    queryFn: async () => pipelineOrder((await api.listEnvironments()).environments),
  })
}

export function useFlags() {
  const api = useAdminApi()
  return useQuery({ queryKey: keys.flags, queryFn: async () => (await api.listFlags()).flags })
}

export function useFlag(key: string) {
  const api = useAdminApi()
  return useQuery({ queryKey: keys.flag(key), queryFn: () => api.getFlag(key) })
}

/** Every environment's configurations, one query per environment, keyed by flag. */
export function useAllConfigs(environments: readonly string[]) {
  const api = useAdminApi()
  return useQueries({
    queries: environments.map((env) => ({
      queryKey: keys.configs(env),
      queryFn: async () => (await api.listConfigs(env)).flags,
    })),
  })
}

export function useConfig(env: string, key: string) {
  const api = useAdminApi()
  return useQuery({ queryKey: keys.config(env, key), queryFn: () => api.getConfig(env, key) })
}

export function useVersions(env: string, key: string) {
  const api = useAdminApi()
  return useQuery({
    queryKey: keys.versions(env, key),
    queryFn: async () => (await api.listVersions(env, key, 50)).versions,
  })
}

export function useCurrentRollout(env: string, key: string) {
  const api = useAdminApi()
  return useQuery({
    queryKey: keys.rollout(env, key),
    queryFn: () => api.currentRollout(env, key),
  })
}

export function useAuditPage(filters: AuditFilters) {
  const api = useAdminApi()
  return useQuery({ queryKey: [...keys.audit, filters], queryFn: () => api.audit(filters) })
}

/**
 * What a committed change makes stale. A configuration change or a rollout
 * decision touches the flag's queries in its environment; a definition
 * (global) touches every environment.
 */
export function invalidateFor(client: QueryClient, entry: AuditEntry): void {
  const env = entry.environment
  const key = entry.resourceKey
  void client.invalidateQueries({ queryKey: keys.audit })
  switch (entry.resourceType) {
    case 'flag':
      void client.invalidateQueries({ queryKey: keys.flags })
      if (env === null) {
        void client.invalidateQueries({ queryKey: ['configs'] })
        void client.invalidateQueries({ queryKey: ['versions'] })
        return
      }
      void client.invalidateQueries({ queryKey: keys.configs(env) })
      void client.invalidateQueries({ queryKey: keys.versions(env, key) })
      // A manual change pauses a rollout and a kill aborts it: the rollout's queries move too.
      invalidateRollout(client, env, key)
      return
    case 'environment':
      void client.invalidateQueries({ queryKey: keys.environments })
      return
    case 'token':
      void client.invalidateQueries({ queryKey: keys.tokens })
      return
    case 'webhook':
      void client.invalidateQueries({ queryKey: keys.webhooks })
      return
    case 'segment':
      void client.invalidateQueries({ queryKey: ['configs'] })
      return
  }
}

/** A rollout event: its rollout's state, health and signals. */
export function invalidateForRollout(client: QueryClient, event: RolloutEvent): void {
  invalidateRollout(client, event.environment, event.flag)
}

function invalidateRollout(client: QueryClient, env: string, key: string): void {
  for (const queryKey of [
    keys.rollout(env, key),
    keys.rollouts(env, key),
    keys.health(env, key),
    keys.signals(env, key),
  ]) {
    void client.invalidateQueries({ queryKey })
  }
}
