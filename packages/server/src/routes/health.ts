import type { FastifyPluginAsync } from 'fastify'
import { HttpError } from '../httpError'
import type { RouteContext } from '../routeContext'

/** `/healthz` (the process answers), `/readyz` (the database answers) and `/metrics` (Prometheus text). */
export function healthRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function health(app) {
    app.get('/healthz', async () => ({ status: 'ok' }))

    app.get('/readyz', async () => {
      try {
        await ctx.store.ping()
      } catch (error) {
        throw new HttpError(503, 'not_ready', `the database does not answer: ${String(error)}`)
      }
      return { status: 'ready', streams: ctx.hub.size, leader: ctx.leadership.isLeader }
    })

    app.get('/metrics', async (_request, reply) => {
      reply.type(ctx.metrics.registry.contentType)
      return ctx.metrics.registry.metrics()
    })
  }
}
