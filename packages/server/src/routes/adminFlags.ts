import { FlagDefinitionSchema } from '@floodgate/core'
import type { FastifyPluginAsync } from 'fastify'
import { actorOf } from '../auth'
import { checkFlagConfig } from '../configCheck'
import { HttpError, type ProblemItem } from '../httpError'
import type { RouteContext } from '../routeContext'
import { parseInput } from '../validation'
import { FlagParams } from './params'

/** Flags (global definitions): list, create, get, replace, delete under `/v1/admin/flags`. */
export function adminFlagsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function adminFlags(app) {
    app.get('/v1/admin/flags', async () => ({ flags: await ctx.store.listFlags() }))

    app.post('/v1/admin/flags', async (request, reply) => {
      const definition = parseInput(FlagDefinitionSchema, request.body, 'body')
      const flag = await ctx.store.createFlag(definition, actorOf(request))
      return reply.code(201).header('Location', `/v1/admin/flags/${flag.key}`).send(flag)
    })

    app.get('/v1/admin/flags/:key', async (request) => {
      const { key } = parseInput(FlagParams, request.params, 'params')
      const flag = await ctx.store.getFlag(key)
      if (!flag) throw new HttpError(404, 'not_found', `flag "${key}" does not exist`)
      return flag
    })

    app.put('/v1/admin/flags/:key', async (request) => {
      const { key } = parseInput(FlagParams, request.params, 'params')
      const body = request.body
      const withKey = isObject(body) && !('key' in body) ? { key, ...body } : body
      const definition = parseInput(FlagDefinitionSchema, withKey, 'body')
      if (definition.key !== key) {
        throw new HttpError(
          400,
          'invalid_request',
          'invalid body: /key must equal the key in the URL',
          {
            errors: [{ path: '/key', message: `must equal "${key}"` }],
          },
        )
      }
      return ctx.store.updateFlag(key, definition, actorOf(request), (configs) => {
        const errors: ProblemItem[] = []
        for (const c of configs) {
          for (const problem of checkFlagConfig(c.config, definition.variants)) {
            errors.push({
              path: `/environments/${c.environment}${problem.path}`,
              message: problem.message,
            })
          }
        }
        if (errors.length > 0) {
          throw new HttpError(
            409,
            'variants_in_use',
            'configurations still serve variants this definition removes; change them first',
            { errors },
          )
        }
      })
    })

    app.delete('/v1/admin/flags/:key', async (request, reply) => {
      const { key } = parseInput(FlagParams, request.params, 'params')
      await ctx.store.deleteFlag(key, actorOf(request))
      return reply.code(204).send()
    })
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
