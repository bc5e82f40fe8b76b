import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { loadDeliveryMetrics } from '../rollouts/deliveryMetrics'
import type { RouteContext } from '../routeContext'
import { parseInput } from '../validation'
import { EnvParams, intString, requireEnvironment } from './params'

const DeliveryMetricsQuery = z.strictObject({ days: intString(1, 366).default(30) })

/** `GET /v1/admin/environments/:env/metrics/delivery?days=30`: the environment's delivery metrics. */
export function adminDeliveryMetricsRoutes(
  ctx: RouteContext,
  now: () => number,
): FastifyPluginAsync {
  return async function adminDeliveryMetrics(app) {
    app.get('/v1/admin/environments/:env/metrics/delivery', async (request) => {
      const { env } = parseInput(EnvParams, request.params, 'params')
      const { days } = parseInput(DeliveryMetricsQuery, request.query, 'query')
      await requireEnvironment(ctx.store, env)
      return loadDeliveryMetrics(ctx.store, env, { now: now(), days })
    })
  }
}
