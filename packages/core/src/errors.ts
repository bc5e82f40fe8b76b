import { ErrorCode } from './reasons'
import type { ValidationIssue } from './snapshotValidator'

/**
 * Base class of every error Floodgate throws or reports. Thrown only at API
 * edges (bad options, a failed start); inside evaluation the same codes become
 * `errorCode` on the returned details.
 */
export class FlagSdkError extends Error {
  /** A machine-readable code a caller can switch on. */
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** A flag key that the snapshot does not hold. */
export class FlagNotFoundError extends FlagSdkError {
  constructor(readonly flagKey: string) {
    super(ErrorCode.FLAG_NOT_FOUND, `flag "${flagKey}" is not in the snapshot`)
  }
}

/** Data that does not match its schema: a snapshot, patch, option or body. */
export class SchemaError extends FlagSdkError {
  readonly issues: ValidationIssue[]

  /** `issues`: what is wrong and where (`formatIssues` turns a zod error into them). */
  constructor(what: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    const first = issues[0]
    super(
      ErrorCode.PARSE_ERROR,
      `invalid ${what}${first ? `: ${first.path} ${first.message}` : ''}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
      options,
    )
    this.issues = [...issues]
  }
}

/** The client has no snapshot yet. */
export class NotReadyError extends FlagSdkError {
  constructor(message = 'the flag client has no snapshot yet') {
    super(ErrorCode.PROVIDER_NOT_READY, message)
  }
}

/** What a transport failure was, for a caller to act on. */
export type TransportErrorCode =
  /** `401` or `403`: the token is wrong, revoked or of the wrong scope. Not retried. */
  | 'unauthorized'
  /** Another unexpected HTTP status (`status` says which). */
  | 'http'
  /** The server did not answer within the timeout, or a stream went silent. */
  | 'timeout'
  /** No connection: refused, reset, DNS failure. */
  | 'network'
  /** The server answered with something that is not a valid snapshot, patch or stream. */
  | 'invalid_response'

/**
 * Getting configuration from the server, or sending signals to it, failed.
 * Reported through the client's `error` event and status, never thrown from
 * evaluation.
 */
export class TransportError extends FlagSdkError {
  declare readonly code: TransportErrorCode
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined

  constructor(
    code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(code, message, options)
    this.status = options?.status
  }
}
