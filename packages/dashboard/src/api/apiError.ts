import type { Problem, ProblemItem } from './types'

/**
 * A failed admin API call: the server's problem details (RFC 9457) when it
 * answered, else `code: 'network_error'` with status 0.
 */
export class ApiError extends Error {
  /** The HTTP status, or 0 when no answer came. */
  readonly status: number
  /** The problem's machine-readable code (`invalid_request`, `stale_version`, …) or `network_error`. */
  readonly code: string
  /** Validation failures with their JSON-pointer paths (`/rules/0/conditions/1/values`). */
  readonly errors: ProblemItem[]

  constructor(
    status: number,
    problem: Pick<Problem, 'code' | 'detail'> & { errors?: ProblemItem[] },
  ) {
    super(problem.detail)
    this.name = 'ApiError'
    this.status = status
    this.code = problem.code
    this.errors = problem.errors ?? []
  }

  /** The messages for one path and the paths under it (`/rules/0` covers `/rules/0/serve`). */
  errorsAt(path: string): ProblemItem[] {
    return this.errors.filter((e) => e.path === path || e.path.startsWith(`${path}/`))
  }
}

/** Reads a problem from a failed response; a body that is not a problem keeps the status text. */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text()
  try {
    const body = JSON.parse(text) as Partial<Problem>
    if (typeof body.detail === 'string' && typeof body.code === 'string') {
      return new ApiError(response.status, {
        code: body.code,
        detail: body.detail,
        ...(Array.isArray(body.errors) ? { errors: body.errors } : {}),
      })
    }
  } catch {
    // Not JSON: a proxy's error page, say. The status still tells what happened.
  }
  return new ApiError(response.status, {
    code: `http_${response.status}`,
    detail: `the server answered ${response.status} ${response.statusText}`.trim(),
  })
}
