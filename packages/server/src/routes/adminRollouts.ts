import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { actorOf } from '../auth'
import { HttpError } from '../httpError'
import type { RouteContext } from '../routeContext'
import { parseInput } from '../validation'
import { EnvFlagParams, intString, requireEnvironment } from './params'

const ActionParams = EnvFlagParams.extend({
  action: z.enum(['pause', 'resume', 'promote', 'abort']),
})
const ActionBodySchema = z.strictObject({ reason: z.string().trim().min(1).max(1024).optional() })
const HistoryQuerySchema = z.strictObject({ limit: intString(1, 1000).optional() })
const IsoTimeSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s).getTime())
const SignalsQuerySchema = z.strictObject({
  since: IsoTimeSchema.optional(),
  until: IsoTimeSchema.optional(),
})

/** Buckets one signals answer spans at most. */
const MAX_SIGNAL_BUCKETS = 2000

/**
 * Staged rollouts of one flag in one environment: start (`POST rollouts`),
 * the current state and the history, the operator actions, and the health
 * (signals per stage and variant).
 */
export function adminRolloutsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function adminRollouts(app) {
    const target = async (
      request: FastifyRequest,
      params: typeof EnvFlagParams | typeof ActionParams = EnvFlagParams,
    ) => {
      const { env, key } = parseInput(params, request.params, 'params')
      await requireEnvironment(ctx.store, env)
      if (!(await ctx.store.getFlag(key))) {
        throw new HttpError(404, 'not_found', `flag "${key}" does not exist`)
      }
      return { env, key }
    }

    app.post('/v1/admin/environments/:env/flags/:key/rollouts', async (request, reply) => {
      const { env, key } = await target(request)
      const state = await ctx.rollouts.start(env, key, request.body ?? {}, actorOf(request))
      return reply.code(201).send(state)
    })

    app.get('/v1/admin/environments/:env/flags/:key/rollouts', async (request) => {
      const { env, key } = await target(request)
      const { limit } = parseInput(HistoryQuerySchema, request.query, 'query')
      return { rollouts: await ctx.rollouts.history(env, key, limit) }
    })

    app.get('/v1/admin/environments/:env/flags/:key/rollouts/current', async (request) => {
      const { env, key } = await target(request)
      const state = await ctx.rollouts.current(env, key)
      if (!state) throw new HttpError(404, 'not_found', `flag "${key}" has no rollout in ${env}`)
      return state
    })

    app.post('/v1/admin/environments/:env/flags/:key/rollouts/current/:action', async (request) => {
      const { action } = parseInput(ActionParams, request.params, 'params')
      const { reason } = parseInput(ActionBodySchema, request.body ?? {}, 'body')
      const { env, key } = await target(request, ActionParams)
      return ctx.rollouts[action](env, key, actorOf(request), reason)
    })

    app.get('/v1/admin/environments/:env/flags/:key/health', async (request) => {
      const { env, key } = await target(request)
      return ctx.rollouts.health(env, key)
    })

    app.get('/v1/admin/environments/:env/flags/:key/signals', async (request) => {
      const { env, key } = await target(request)
      const query = parseInput(SignalsQuerySchema, request.query, 'query')
      const bucketMs = ctx.signals.bucketMs
      const until = query.until ?? Date.now()
      // A long range answers its most recent buckets, so that a short bucket width cannot make it unbounded.
      const since = Math.max(
        query.since ?? until - 60 * bucketMs,
        until - MAX_SIGNAL_BUCKETS * bucketMs,
      )
      if (query.since !== undefined && query.since > until) {
        throw new HttpError(
          400,
          'invalid_request',
          'invalid query: /since must not be after until',
          {
            errors: [{ path: '/since', message: 'must not be after until' }],
          },
        )
      }
      const buckets = await ctx.store.querySignals({
        environment: env,
        flagKey: key,
        // A bucket that starts before `since` still holds signals from inside the range.
        since: new Date(since - (since % bucketMs)).toISOString(),
        until: new Date(until).toISOString(),
      })
      return {
        environment: env,
        flag: key,
        bucketMs,
        since: new Date(since).toISOString(),
        until: new Date(until).toISOString(),
        buckets: buckets.map(({ environment: _e, flagKey: _f, ...bucket }) => bucket),
      }
    })
  }
}
