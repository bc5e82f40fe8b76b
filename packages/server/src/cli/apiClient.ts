import type { Problem } from '../problem'
import type { Environment } from '../types'

/** An API call that failed: the server's problem document, or a connection failure. */
export class ApiError extends Error {
  constructor(
    message: string,
    /** The problem the server answered with, when it answered. */
    readonly problem?: Problem,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** A small client of the admin HTTP API for the CLI. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  /** `only` when given (a command's `--env`), else every environment the server has. */
  async environmentNames(only?: string): Promise<string[]> {
    if (only !== undefined) return [only]
    const { environments } = await this.request<{ environments: Environment[] }>(
      'GET',
      '/v1/admin/environments',
    )
    return environments.map((e) => e.name)
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.baseUrl)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.token) headers.authorization = `Bearer ${this.token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    } catch (error) {
      const detail = (error as { cause?: { code?: string; message?: string } }).cause
      const cause = detail?.code ?? detail?.message ?? String(error)
      throw new ApiError(`cannot reach ${this.baseUrl}: ${cause}`)
    }
    const text = await response.text()
    if (!response.ok) {
      let problem: Problem | undefined
      try {
        problem = JSON.parse(text) as Problem
      } catch {
        problem = undefined
      }
      const detail = problem?.detail ?? (text || response.statusText)
      throw new ApiError(
        `${response.status} ${problem?.title ?? response.statusText}: ${detail}`,
        problem,
      )
    }
    return (text === '' ? undefined : JSON.parse(text)) as T
  }
}
