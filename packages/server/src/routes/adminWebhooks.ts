import { EnvironmentNameSchema } from '@floodgate/core'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { actorOf } from '../auth'
import { HttpError, type ProblemItem } from '../httpError'
import type { RouteContext } from '../routeContext'
import type { StoredWebhookEndpoint } from '../store/store'
import { ROLLOUT_EVENT_TYPES, type WebhookEndpoint } from '../types'
import { parseInput } from '../validation'
import { createWebhookSecret } from '../webhooks/webhookSecret'
import { parseWebhookUrl, WebhookUrlError } from '../webhooks/webhookUrl'
import { intString } from './params'

const WebhookUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, ctx) => {
    try {
      parseWebhookUrl(value)
    } catch (error) {
      if (!(error instanceof WebhookUrlError)) throw error
      ctx.addIssue({ code: 'custom', message: error.message })
    }
  })

const unique = <T>(values: T[]) => [...new Set(values)]
const EventsSchema = z.array(z.enum(ROLLOUT_EVENT_TYPES)).max(50).transform(unique)
const EnvironmentsSchema = z.array(EnvironmentNameSchema).max(100).transform(unique)

const NewWebhookSchema = z.strictObject({
  url: WebhookUrlSchema,
  description: z.string().trim().max(512).default(''),
  /** Empty or absent: every rollout event. */
  events: EventsSchema.default([]),
  /** Empty or absent: every environment. */
  environments: EnvironmentsSchema.default([]),
  enabled: z.boolean().default(true),
})

const WebhookPatchSchema = z.strictObject({
  url: WebhookUrlSchema.optional(),
  description: z.string().trim().max(512).optional(),
  events: EventsSchema.optional(),
  environments: EnvironmentsSchema.optional(),
  enabled: z.boolean().optional(),
  /** Replace the signing secret; the new one is in this response only. */
  rotateSecret: z.boolean().optional(),
})

const WebhookParams = z.strictObject({
  id: z.string().regex(/^wh_[0-9a-f]{24}$/, 'must be a webhook id such as wh_3f2a…'),
})

const DeliveriesQuery = z.strictObject({
  state: z.enum(['pending', 'succeeded', 'failed']).optional(),
  limit: intString(1, 500).default(50),
})

/**
 * Webhook endpoints under `/v1/admin/webhooks`: create (the signing secret is
 * in this response only), list, get, update (optionally rotating the secret),
 * delete, send a test `ping`, and the delivery log.
 */
export function adminWebhooksRoutes(ctx: RouteContext): FastifyPluginAsync {
  const requireEnvironments = async (names: string[] | undefined) => {
    if (!names || names.length === 0) return
    const known = new Set((await ctx.store.listEnvironments()).map((e) => e.name))
    const errors: ProblemItem[] = names.flatMap((name, i) =>
      known.has(name)
        ? []
        : [{ path: `/environments/${i}`, message: `environment "${name}" does not exist` }],
    )
    const first = errors[0]
    if (first) {
      throw new HttpError(400, 'invalid_request', `invalid body: ${first.path} ${first.message}`, {
        errors,
      })
    }
  }
  const requireWebhook = async (id: string) => {
    const webhook = await ctx.store.getWebhookEndpoint(id)
    if (!webhook) throw new HttpError(404, 'not_found', `webhook "${id}" does not exist`)
    return webhook
  }

  return async function adminWebhooks(app) {
    app.post('/v1/admin/webhooks', async (request, reply) => {
      const input = parseInput(NewWebhookSchema, request.body, 'body')
      await requireEnvironments(input.environments)
      const secret = createWebhookSecret()
      const stored = await ctx.store.createWebhookEndpoint({ ...input, secret }, actorOf(request))
      return reply
        .code(201)
        .header('Location', `/v1/admin/webhooks/${stored.id}`)
        .send({ webhook: publicView(stored), secret })
    })

    app.get('/v1/admin/webhooks', async () => ({
      webhooks: (await ctx.store.listWebhookEndpoints()).map(publicView),
    }))

    app.get('/v1/admin/webhooks/:id', async (request) => {
      const { id } = parseInput(WebhookParams, request.params, 'params')
      return { webhook: publicView(await requireWebhook(id)) }
    })

    app.patch('/v1/admin/webhooks/:id', async (request) => {
      const { id } = parseInput(WebhookParams, request.params, 'params')
      const { rotateSecret, ...patch } = parseInput(WebhookPatchSchema, request.body, 'body')
      await requireEnvironments(patch.environments)
      const secret = rotateSecret ? createWebhookSecret() : undefined
      const stored = await ctx.store.updateWebhookEndpoint(
        id,
        { ...patch, ...(secret === undefined ? {} : { secret }) },
        actorOf(request),
      )
      return { webhook: publicView(stored), ...(secret === undefined ? {} : { secret }) }
    })

    app.delete('/v1/admin/webhooks/:id', async (request, reply) => {
      const { id } = parseInput(WebhookParams, request.params, 'params')
      await ctx.store.deleteWebhookEndpoint(id, actorOf(request))
      return reply.code(204).send()
    })

    app.post('/v1/admin/webhooks/:id/test', async (request) => {
      const { id } = parseInput(WebhookParams, request.params, 'params')
      const delivery = await ctx.webhooks.ping(id)
      if (!delivery) throw new HttpError(404, 'not_found', `webhook "${id}" does not exist`)
      return { delivery }
    })

    app.get('/v1/admin/webhooks/:id/deliveries', async (request) => {
      const { id } = parseInput(WebhookParams, request.params, 'params')
      const query = parseInput(DeliveriesQuery, request.query, 'query')
      await requireWebhook(id)
      return {
        deliveries: await ctx.store.listWebhookDeliveries({ endpointId: id, ...query }),
      }
    })
  }
}

function publicView({ secret: _secret, ...endpoint }: StoredWebhookEndpoint): WebhookEndpoint {
  return endpoint
}
