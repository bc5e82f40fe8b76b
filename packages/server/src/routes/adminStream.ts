import type { FastifyPluginAsync } from 'fastify'
import { principalOf } from '../auth'
import type { RouteContext } from '../routeContext'

/** `GET /v1/admin/stream`: every change as it is committed, for the dashboard and tooling. */
export function adminStreamRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function adminStream(app) {
    app.get('/v1/admin/stream', async (request, reply) => {
      const lastEventId = request.headers['last-event-id']
      await ctx.hub.openAdminStream(
        reply,
        principalOf(request),
        Array.isArray(lastEventId) ? lastEventId[0] : lastEventId,
      )
    })
  }
}
