import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { HttpError, type ProblemItem } from './httpError'
import { StoreError } from './store/store'

/** An RFC 9457 problem document, as every error response carries it. */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  errors?: ProblemItem[]
}

const STORE_STATUS: Record<StoreError['code'], number> = {
  not_found: 404,
  already_exists: 409,
  stale_version: 409,
  conflict: 409,
}

/** Sends a problem+json response. */
export function sendProblem(reply: FastifyReply, error: HttpError): FastifyReply {
  const problem: Problem = {
    type: `urn:floodgate:problem:${error.code}`,
    title: STATUS_CODES[error.status] ?? 'Error',
    status: error.status,
    detail: error.detail,
    code: error.code,
    ...(error.extras.errors ? { errors: error.extras.errors } : {}),
  }
  for (const [name, value] of Object.entries(error.extras.headers ?? {})) reply.header(name, value)
  return reply.code(error.status).type('application/problem+json').send(problem)
}

/** The one error handler: typed errors become their problem, Fastify's 4xx keep their status, the rest is a logged 500. */
export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, toHttpError(error, request))
}

function toHttpError(error: unknown, request: FastifyRequest): HttpError {
  if (error instanceof HttpError) return error
  if (error instanceof StoreError)
    return new HttpError(STORE_STATUS[error.code], error.code, error.message)
  const fastifyError = error as Partial<FastifyError>
  const status = fastifyError.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(
      status,
      fastifyCode(fastifyError.code),
      fastifyError.message ?? 'bad request',
    )
  }
  request.log.error({ err: error }, 'unhandled error')
  return new HttpError(500, 'internal_error', 'the server failed to handle this request')
}

function fastifyCode(code: string | undefined): string {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body_too_large'
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type'
    default:
      return 'invalid_request'
  }
}

/** The not-found handler: unknown routes are 404 problems too. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(
    reply,
    new HttpError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`),
  )
}
