import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import { SignalsBatchSchema } from '@floodgate/core'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { findPrincipal, principalOf, requireScope } from '../auth'
import { HttpError } from '../httpError'
import type { RouteContext } from '../routeContext'
import { parseInput } from '../validation'

/** Limits of the SDK routes. */
export interface SdkLimits {
  /** Requests per token per window on SDK routes, or `false` for no limit. */
  rateLimit: { max: number; windowMs: number } | false
  /** `Access-Control-Allow-Origin` for browsers (client tokens). */
  corsOrigin: string | string[]
}

/**
 * The SDK side: snapshot, stream and signals for `server` and `client`
 * tokens, with CORS for browsers and a per-token rate limit.
 */
export function sdkRoutes(ctx: RouteContext, limits: SdkLimits): FastifyPluginAsync {
  return async function sdk(app) {
    await app.register(cors, {
      origin: limits.corsOrigin,
      methods: ['GET', 'POST'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'Last-Event-ID'],
      exposedHeaders: ['ETag', 'Retry-After'],
      maxAge: 86400,
    })
    const onRequest = requireScope(ctx.auth, ['server', 'client'])
    if (limits.rateLimit) {
      await app.register(rateLimit, {
        max: limits.rateLimit.max,
        timeWindow: limits.rateLimit.windowMs,
        hook: 'preHandler',
        keyGenerator: (request: FastifyRequest) => findPrincipal(request)?.id ?? request.ip,
        errorResponseBuilder: (_request, context) =>
          new HttpError(
            429,
            'rate_limited',
            `too many requests from this token; retry in ${context.after}`,
            {
              headers: { 'Retry-After': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
            },
          ),
      })
    }

    app.get('/v1/sdk/snapshot', { onRequest }, async (request, reply) => {
      const token = principalOf(request)
      const view = token.environment === null ? undefined : ctx.hub.view(token.environment)
      if (!view)
        throw new HttpError(404, 'not_found', `environment "${token.environment}" does not exist`)
      const { version, json } = view.snapshot(token.scope === 'client' ? 'client' : 'server')
      const etag = `"${version}"`
      reply.header('ETag', etag).header('Cache-Control', 'no-cache')
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send()
      return reply.type('application/json; charset=utf-8').send(json)
    })

    app.get('/v1/sdk/stream', { onRequest }, async (request, reply) => {
      const lastEventId = request.headers['last-event-id']
      ctx.hub.openSdkStream(
        reply,
        principalOf(request),
        Array.isArray(lastEventId) ? lastEventId[0] : lastEventId,
      )
    })

    app.post('/v1/sdk/signals', { onRequest }, async (request, reply) => {
      const token = principalOf(request)
      const batch = parseInput(SignalsBatchSchema, request.body, 'body')
      const result = ctx.signals.ingest(token.environment ?? '', batch)
      return reply.code(202).send(result)
    })
  }
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*')
}
