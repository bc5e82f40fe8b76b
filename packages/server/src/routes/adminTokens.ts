import { EnvironmentNameSchema } from '@floodgate/core'
import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import { actorOf } from '../auth'
import type { RouteContext } from '../routeContext'
import { createTokenSecret, hashTokenSecret, tokenHint } from '../tokenSecret'
import { parseInput } from '../validation'
import { TokenParams } from './params'

const NewTokenSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(128),
    scope: z.enum(['admin', 'server', 'client']),
    environment: EnvironmentNameSchema.optional(),
  })
  .superRefine((t, ctx) => {
    if (t.scope === 'admin' && t.environment !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['environment'],
        message: 'admin tokens are not tied to an environment',
      })
    }
    if (t.scope !== 'admin' && t.environment === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['environment'],
        message: `a ${t.scope} token names its environment`,
      })
    }
  })

/** Tokens: create (the secret is in this response only), list, revoke. */
export function adminTokensRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function adminTokens(app) {
    app.post('/v1/admin/tokens', async (request, reply) => {
      const input = parseInput(NewTokenSchema, request.body, 'body')
      const secret = createTokenSecret(input.scope)
      const token = await ctx.store.createToken(
        {
          name: input.name,
          scope: input.scope,
          environment: input.environment ?? null,
          hash: hashTokenSecret(secret),
          hint: tokenHint(secret),
        },
        actorOf(request),
      )
      return reply.code(201).send({ token, secret })
    })

    app.get('/v1/admin/tokens', async () => ({ tokens: await ctx.store.listTokens() }))

    app.delete('/v1/admin/tokens/:id', async (request) => {
      const { id } = parseInput(TokenParams, request.params, 'params')
      return { token: await ctx.store.revokeToken(id, actorOf(request)) }
    })
  }
}
