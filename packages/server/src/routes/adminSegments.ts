import { SegmentSchema } from '@floodgate/core'
import type { FastifyPluginAsync } from 'fastify'
import { actorOf } from '../auth'
import { HttpError } from '../httpError'
import type { RouteContext } from '../routeContext'
import { parseInput } from '../validation'
import { EnvParams, EnvSegmentParams, requireEnvironment } from './params'

/** Segments per environment: list, get, create-or-replace, delete. */
export function adminSegmentsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function adminSegments(app) {
    app.get('/v1/admin/environments/:env/segments', async (request) => {
      const { env } = parseInput(EnvParams, request.params, 'params')
      await requireEnvironment(ctx.store, env)
      return { segments: await ctx.store.listSegments(env) }
    })

    app.get('/v1/admin/environments/:env/segments/:key', async (request) => {
      const { env, key } = parseInput(EnvSegmentParams, request.params, 'params')
      await requireEnvironment(ctx.store, env)
      const segment = await ctx.store.getSegment(env, key)
      if (!segment)
        throw new HttpError(404, 'not_found', `segment "${key}" does not exist in ${env}`)
      return segment
    })

    app.put('/v1/admin/environments/:env/segments/:key', async (request, reply) => {
      const { env, key } = parseInput(EnvSegmentParams, request.params, 'params')
      const segment = parseInput(SegmentSchema, request.body, 'body')
      const result = await ctx.store.putSegment(env, key, segment, actorOf(request))
      return reply.code(result.created ? 201 : 200).send(result.segment)
    })

    app.delete('/v1/admin/environments/:env/segments/:key', async (request, reply) => {
      const { env, key } = parseInput(EnvSegmentParams, request.params, 'params')
      await ctx.store.deleteSegment(env, key, actorOf(request))
      return reply.code(204).send()
    })
  }
}
