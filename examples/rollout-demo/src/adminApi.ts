/** A failed admin call, with the server's status and problem detail. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError'
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: ${status} ${detail}`)
  }
}

/** One decision of a rollout, as `GET …/rollouts/current` lists them. */
export interface RolloutDecision {
  at: string
  action: string
  reason: string
  by?: string
  stageIndex?: number
  evidence?: Record<string, unknown>
}

/** The part of a rollout's state the demo reads. */
export interface RolloutState {
  id: string
  status: 'running' | 'paused' | 'completed' | 'reverted' | 'aborted'
  stageIndex: number
  percent: number
  decisions: RolloutDecision[]
}

/** The plan the demo starts rollouts with (the server fills in the rest). */
export interface RolloutPlanInput {
  treatment: string
  control: string
  stages: { percent: number; minDurationSec?: number; maxDurationSec?: number }[]
  guard?: { tolerance?: number; alpha?: number; minEvidence?: number }
  onFailure?: 'revert' | 'kill'
}

/** The few admin calls the demo makes, with an admin token, over HTTP. */
export class AdminApi {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    const json = text === '' ? undefined : (JSON.parse(text) as unknown)
    if (!res.ok) {
      const detail = (json as { detail?: string } | undefined)?.detail ?? text
      throw new AdminApiError(res.status, detail, method, path)
    }
    return json as T
  }

  createBooleanFlag(key: string, description: string): Promise<unknown> {
    return this.call('POST', '/v1/admin/flags', { key, kind: 'boolean', description })
  }

  /** Sets the flag's fallthrough to `percent` % on; returns the new environment version. */
  async setPercent(env: string, key: string, percent: number, reason: string): Promise<number> {
    const body = await this.call<{ environmentVersion: number }>(
      'POST',
      `/v1/admin/environments/${env}/flags/${key}/rollout`,
      { percent, reason },
    )
    return body.environmentVersion
  }

  async createSdkToken(env: string, name: string): Promise<string> {
    const body = await this.call<{ secret: string }>('POST', '/v1/admin/tokens', {
      name,
      scope: 'server',
      environment: env,
    })
    return body.secret
  }

  startRollout(env: string, key: string, plan: RolloutPlanInput): Promise<RolloutState> {
    return this.call('POST', `/v1/admin/environments/${env}/flags/${key}/rollouts`, plan)
  }

  currentRollout(env: string, key: string): Promise<RolloutState> {
    return this.call('GET', `/v1/admin/environments/${env}/flags/${key}/rollouts/current`)
  }
}
