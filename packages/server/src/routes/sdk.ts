import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import { EvaluationRequestSchema, evaluateSnapshot, SignalsBatchSchema } from '@floodgate/core'
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
 * The SDK side for `server` and `client` tokens: snapshot and stream (the
 * SDKs that evaluate locally), evaluation and its stream (a browser's lean
 * client, the server evaluating for its context) and signals, with CORS for
 * browsers and a per-token rate limit.
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

    // The context travels in a POST body rather than the URL: it may hold an
    // e-mail address or an account id, which URLs leave in access logs.
    app.post('/v1/sdk/evaluate', { onRequest }, async (request, reply) => {
      const token = principalOf(request)
      const { context } = parseInput(EvaluationRequestSchema, request.body, 'body')
      const view = token.environment === null ? undefined : ctx.hub.view(token.environment)
      if (!view)
        throw new HttpError(404, 'not_found', `environment "${token.environment}" does not exist`)
      const audience = token.scope === 'client' ? 'client' : 'server'
      // The version alone makes the tag: a client sends it back only for the context it was served for.
      const etag = `"${view.versionFor(audience)}"`
      reply.header('ETag', etag).header('Cache-Control', 'no-store')
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send()
      return evaluateSnapshot(view.snapshotObject(audience), context)
    })

    app.post('/v1/sdk/evaluate/stream', { onRequest }, async (request, reply) => {
      const { context } = parseInput(EvaluationRequestSchema, request.body, 'body')
      ctx.hub.openEvaluationStream(reply, principalOf(request), context)
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
