/** One `{ path, message }` item of a validation problem (JSON-pointer paths). */
export interface ProblemItem {
  path: string
  message: string
}

/**
 * The one error routes throw for a client-facing failure; the error handler
 * turns it into `application/problem+json` with this status, code and detail.
 */
export class HttpError extends Error {
  constructor(
    /** The HTTP status, 4xx or 5xx. */
    readonly status: number,
    /** A machine-readable code, also the end of the problem `type` URI. */
    readonly code: string,
    /** A human-readable explanation of this occurrence. */
    readonly detail: string,
    readonly extras: { errors?: ProblemItem[]; headers?: Record<string, string> } = {},
  ) {
    super(detail)
    this.name = 'HttpError'
  }
}
