import { ApiError, apiErrorOf } from './apiError'
import type {
  AuditFilters,
  AuditPage,
  ConfigResponse,
  Environment,
  FlagConfig,
  NewFlag,
  RolloutHealth,
  RolloutPlanInput,
  RolloutState,
  SignalSeries,
  StoredFlag,
  StoredFlagConfig,
  TokenRecord,
  TokenScope,
  WebhookDelivery,
  WebhookEndpoint,
} from './types'

/** Options of {@link AdminApi}. */
export interface AdminApiOptions {
  /** The server's origin, e.g. `http://127.0.0.1:4242`; the page's own origin in the browser. */
  baseUrl: string
  /** An admin token (`fg_admin_…`). */
  token: string
  /** The fetch to use. Default: the global one. */
  fetch?: typeof fetch
}

/** The operator actions on a running or paused rollout. */
export type RolloutAction = 'pause' | 'resume' | 'promote' | 'abort'

/** A new webhook endpoint, as `POST /v1/admin/webhooks` takes it. */
export interface NewWebhook {
  url: string
  description?: string
  events?: string[]
  environments?: string[]
  enabled?: boolean
}

const enc = encodeURIComponent

/**
 * The admin API, one method per endpoint the dashboard uses. Every failure
 * is thrown as an {@link ApiError} carrying the server's problem details.
 *
 * @example
 * const api = new AdminApi({ baseUrl: location.origin, token })
 * const { flags } = await api.listFlags()
 */
export class AdminApi {
  private readonly fetch: typeof fetch

  constructor(private readonly options: AdminApiOptions) {
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  }

  /** The server's origin this client talks to. */
  get baseUrl(): string {
    return this.options.baseUrl
  }

  /** The admin token this client sends. */
  get token(): string {
    return this.options.token
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response
    try {
      response = await this.fetch(`${this.options.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    } catch (error) {
      throw new ApiError(0, {
        code: 'network_error',
        detail: `the server could not be reached (${error instanceof Error ? error.message : String(error)})`,
      })
    }
    if (!response.ok) throw await apiErrorOf(response)
    if (response.status === 204) return undefined as T
    return (await response.json()) as T
  }

  listEnvironments(): Promise<{ environments: Environment[] }> {
    return this.request('GET', '/v1/admin/environments')
  }

  listFlags(): Promise<{ flags: StoredFlag[] }> {
    return this.request('GET', '/v1/admin/flags')
  }

  getFlag(key: string): Promise<StoredFlag> {
    return this.request('GET', `/v1/admin/flags/${enc(key)}`)
  }

  createFlag(definition: NewFlag): Promise<StoredFlag> {
    return this.request('POST', '/v1/admin/flags', definition)
  }

  listConfigs(
    env: string,
  ): Promise<{ environment: string; version: number; flags: StoredFlagConfig[] }> {
    return this.request('GET', `/v1/admin/environments/${enc(env)}/flags`)
  }

  getConfig(env: string, key: string): Promise<ConfigResponse> {
    return this.request('GET', this.configPath(env, key))
  }

  /** Replaces a configuration; `version` makes it conditional (`409 stale_version` if it moved). */
  putConfig(
    env: string,
    key: string,
    config: FlagConfig,
    version?: number,
  ): Promise<ConfigResponse> {
    const { rollout: _, ...body } = config
    return this.request(
      'PUT',
      this.configPath(env, key),
      body,
      version === undefined ? {} : { 'if-match': `"${version}"` },
    )
  }

  setPercent(env: string, key: string, percent: number, reason?: string): Promise<ConfigResponse> {
    return this.request('POST', this.configPath(env, key, '/rollout'), {
      percent,
      ...(reason ? { reason } : {}),
    })
  }

  kill(env: string, key: string, reason: string): Promise<ConfigResponse> {
    return this.request('POST', this.configPath(env, key, '/kill'), { reason })
  }

  unkill(env: string, key: string, reason: string): Promise<ConfigResponse> {
    return this.request('POST', this.configPath(env, key, '/unkill'), { reason })
  }

  revert(env: string, key: string, toVersion: number, reason?: string): Promise<ConfigResponse> {
    return this.request('POST', this.configPath(env, key, '/revert'), {
      toVersion,
      ...(reason ? { reason } : {}),
    })
  }

  listVersions(env: string, key: string, limit = 20): Promise<{ versions: StoredFlagConfig[] }> {
    return this.request('GET', this.configPath(env, key, `/versions?limit=${limit}`))
  }

  startRollout(env: string, key: string, plan: RolloutPlanInput): Promise<RolloutState> {
    return this.request('POST', this.configPath(env, key, '/rollouts'), plan)
  }

  /** The running or paused rollout, else the latest; `null` when the flag never had one here. */
  async currentRollout(env: string, key: string): Promise<RolloutState | null> {
    try {
      return await this.request<RolloutState>('GET', this.configPath(env, key, '/rollouts/current'))
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && error.code === 'not_found') {
        // Both "no such flag" and "no rollout yet" are 404; the flag's own query tells them apart.
        return null
      }
      throw error
    }
  }

  listRollouts(env: string, key: string, limit = 20): Promise<{ rollouts: RolloutState[] }> {
    return this.request('GET', this.configPath(env, key, `/rollouts?limit=${limit}`))
  }

  rolloutAction(
    env: string,
    key: string,
    action: RolloutAction,
    reason?: string,
  ): Promise<RolloutState> {
    return this.request('POST', this.configPath(env, key, `/rollouts/current/${action}`), {
      ...(reason ? { reason } : {}),
    })
  }

  health(env: string, key: string): Promise<RolloutHealth> {
    return this.request('GET', this.configPath(env, key, '/health'))
  }

  signals(env: string, key: string, since: string, until: string): Promise<SignalSeries> {
    const query = `?since=${enc(since)}&until=${enc(until)}`
    return this.request('GET', this.configPath(env, key, `/signals${query}`))
  }

  audit(filters: AuditFilters = {}): Promise<AuditPage> {
    const query = new URLSearchParams()
    for (const [name, value] of Object.entries(filters)) {
      if (value !== undefined && value !== '') query.set(name, String(value))
    }
    const qs = query.toString()
    return this.request('GET', `/v1/admin/audit${qs ? `?${qs}` : ''}`)
  }

  listTokens(): Promise<{ tokens: TokenRecord[] }> {
    return this.request('GET', '/v1/admin/tokens')
  }

  createToken(input: {
    name: string
    scope: TokenScope
    environment?: string
  }): Promise<{ token: TokenRecord; secret: string }> {
    return this.request('POST', '/v1/admin/tokens', input)
  }

  revokeToken(id: string): Promise<{ token: TokenRecord }> {
    return this.request('DELETE', `/v1/admin/tokens/${enc(id)}`)
  }

  listWebhooks(): Promise<{ webhooks: WebhookEndpoint[] }> {
    return this.request('GET', '/v1/admin/webhooks')
  }

  createWebhook(input: NewWebhook): Promise<{ webhook: WebhookEndpoint; secret: string }> {
    return this.request('POST', '/v1/admin/webhooks', input)
  }

  updateWebhook(
    id: string,
    patch: Partial<NewWebhook> & { rotateSecret?: boolean },
  ): Promise<{ webhook: WebhookEndpoint; secret?: string }> {
    return this.request('PATCH', `/v1/admin/webhooks/${enc(id)}`, patch)
  }

  deleteWebhook(id: string): Promise<void> {
    return this.request('DELETE', `/v1/admin/webhooks/${enc(id)}`)
  }

  testWebhook(id: string): Promise<{ delivery: WebhookDelivery }> {
    return this.request('POST', `/v1/admin/webhooks/${enc(id)}/test`)
  }

  listDeliveries(id: string, limit = 20): Promise<{ deliveries: WebhookDelivery[] }> {
    return this.request('GET', `/v1/admin/webhooks/${enc(id)}/deliveries?limit=${limit}`)
  }

  private configPath(env: string, key: string, rest = ''): string {
    return `/v1/admin/environments/${enc(env)}/flags/${enc(key)}${rest}`
  }
}
