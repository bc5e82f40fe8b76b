import { EnvironmentNameSchema, FlagKeySchema } from '@floodgate/core'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { RouteContext } from '../routeContext'
import { AUDIT_ACTIONS } from '../types'
import { parseInput } from '../validation'
import { intString } from './params'

const IsoTimeSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString())

const AuditQuerySchema = z.strictObject({
  flag: FlagKeySchema.optional(),
  env: EnvironmentNameSchema.optional(),
  actor: z.string().min(1).max(128).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  since: IsoTimeSchema.optional(),
  until: IsoTimeSchema.optional(),
  limit: intString(1, 500).default(50),
  cursor: intString(1, Number.MAX_SAFE_INTEGER).optional(),
})

/** `GET /v1/admin/audit`: who changed what and when, newest first, filtered and paged. */
export function adminAuditRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function adminAudit(app) {
    app.get('/v1/admin/audit', async (request) => {
      const q = parseInput(AuditQuerySchema, request.query, 'query')
      return ctx.store.queryAudit({
        ...(q.flag === undefined ? {} : { flag: q.flag }),
        ...(q.env === undefined ? {} : { environment: q.env }),
        ...(q.actor === undefined ? {} : { actor: q.actor }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.until === undefined ? {} : { until: q.until }),
        ...(q.cursor === undefined ? {} : { before: q.cursor }),
        limit: q.limit,
      })
    })
  }
}
