import {
  AttributeNameSchema,
  EnvironmentNameSchema,
  type FlagConfig,
  FlagConfigSchema,
  type Serve,
  TOTAL_WEIGHT,
  VariantNameSchema,
} from '@floodgate/core'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { actorOf } from '../auth'
import { checkFlagConfig } from '../configCheck'
import { HttpError } from '../httpError'
import type { RouteContext } from '../routeContext'
import type { ConfigChange, ConfigUpdate } from '../store/store'
import type { StoredFlag, StoredFlagConfig } from '../types'
import { parseInput } from '../validation'
import { EnvFlagParams, EnvParams, intString, requireEnvironment } from './params'

const ReasonSchema = z.string().trim().min(1).max(1024)

const RolloutBodySchema = z.strictObject({
  /** Share of units served the treatment, 0–100 with at most two decimals. */
  percent: z.number().min(0).max(100).multipleOf(0.01, 'at most two decimals'),
  treatment: VariantNameSchema.optional(),
  control: VariantNameSchema.optional(),
  /** The attribute to hash; defaults to the current split's, else `userId`. */
  by: AttributeNameSchema.optional(),
  reason: ReasonSchema.optional(),
})
const KillBodySchema = z.strictObject({ reason: ReasonSchema })
const UnkillBodySchema = z.strictObject({ reason: ReasonSchema.optional() })
const RevertBodySchema = z.strictObject({
  toVersion: z.int().min(1),
  reason: ReasonSchema.optional(),
})
const NewEnvironmentSchema = z.strictObject({ name: EnvironmentNameSchema })
const VersionsQuerySchema = z.strictObject({
  before: intString(1, Number.MAX_SAFE_INTEGER).optional(),
  limit: intString(1, 100).default(20),
})
const IfMatchSchema = z
  .string()
  .regex(/^\s*(?:\*|(?:W\/)?"\d{1,15}")\s*$/, 'must be "<version>" or *')
  .optional()

/** The configuration as every configuration endpoint answers it. */
function configBody(config: StoredFlagConfig, environmentVersion: number, changed?: boolean) {
  return { ...config, environmentVersion, ...(changed === undefined ? {} : { changed }) }
}

/**
 * Environments and per-environment flag configurations: GET/PUT with
 * `If-Match`, and the `rollout`, `kill`, `unkill` and `revert` actions.
 */
export function adminConfigsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async function adminConfigs(app) {
    const update = async (
      request: FastifyRequest,
      change: Omit<ConfigChange, 'actor'>,
    ): Promise<ReturnType<typeof configBody>> => {
      const { env, key } = parseInput(EnvFlagParams, request.params, 'params')
      const result: ConfigUpdate = await ctx.store.updateFlagConfig(env, key, {
        ...change,
        actor: actorOf(request),
      })
      return configBody(result.config, result.environmentVersion, result.changed)
    }

    app.get('/v1/admin/environments', async () => ({
      environments: await ctx.store.listEnvironments(),
    }))

    app.post('/v1/admin/environments', async (request, reply) => {
      const { name } = parseInput(NewEnvironmentSchema, request.body, 'body')
      return reply.code(201).send(await ctx.store.createEnvironment(name, actorOf(request)))
    })

    app.get('/v1/admin/environments/:env/flags', async (request) => {
      const { env } = parseInput(EnvParams, request.params, 'params')
      const version = await requireEnvironment(ctx.store, env)
      const configs = await ctx.store.listFlagConfigs(env)
      return { environment: env, version, flags: configs }
    })

    app.get('/v1/admin/environments/:env/flags/:key', async (request, reply) => {
      const { env, key } = parseInput(EnvFlagParams, request.params, 'params')
      const version = await requireEnvironment(ctx.store, env)
      const config = await ctx.store.getFlagConfig(env, key)
      if (!config) throw new HttpError(404, 'not_found', `flag "${key}" does not exist`)
      reply.header('ETag', `"${config.version}"`)
      return configBody(config, version)
    })

    app.get('/v1/admin/environments/:env/flags/:key/versions', async (request) => {
      const { env, key } = parseInput(EnvFlagParams, request.params, 'params')
      const { before, limit } = parseInput(VersionsQuerySchema, request.query, 'query')
      await requireEnvironment(ctx.store, env)
      if (!(await ctx.store.getFlag(key))) {
        throw new HttpError(404, 'not_found', `flag "${key}" does not exist`)
      }
      const versions = await ctx.store.listFlagConfigVersions(env, key, {
        limit,
        ...(before === undefined ? {} : { before }),
      })
      return { versions }
    })

    app.put('/v1/admin/environments/:env/flags/:key', async (request, reply) => {
      const ifMatch = parseInput(IfMatchSchema, request.headers['if-match'], 'header')
      const config = parseInput(FlagConfigSchema, request.body, 'body')
      if (config.rollout !== undefined) {
        throw new HttpError(
          400,
          'invalid_request',
          'invalid body: /rollout is set by the rollout controller; use the rollouts API',
          { errors: [{ path: '/rollout', message: 'set by the rollout controller only' }] },
        )
      }
      const expected = ifMatch?.match(/"(\d+)"/)?.[1]
      const body = await update(request, {
        action: 'config.update',
        ...(expected === undefined ? {} : { expectedVersion: Number(expected) }),
        apply: (current, { flag, segmentKeys }) => {
          const errors = checkFlagConfig(config, flag.variants, segmentKeys)
          if (errors.length > 0) {
            throw new HttpError(
              400,
              'invalid_request',
              'invalid body: the configuration refers to unknown variants or segments',
              { errors },
            )
          }
          return withRollout(config, current.config)
        },
      })
      reply.header('ETag', `"${body.version}"`)
      return body
    })

    app.post('/v1/admin/environments/:env/flags/:key/rollout', async (request) => {
      const input = parseInput(RolloutBodySchema, request.body ?? {}, 'body')
      return update(request, {
        action: 'config.rollout',
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        apply: (current, { flag }) => ({
          ...current.config,
          enabled: true,
          fallthrough: rolloutServe(flag, current.config, input),
        }),
      })
    })

    app.post('/v1/admin/environments/:env/flags/:key/kill', async (request) => {
      const { reason } = parseInput(KillBodySchema, request.body ?? {}, 'body')
      return update(request, {
        action: 'config.kill',
        reason,
        apply: (current) =>
          current.config.killed
            ? current.config
            : { ...current.config, killed: true, killReason: reason },
      })
    })

    app.post('/v1/admin/environments/:env/flags/:key/unkill', async (request) => {
      const { reason } = parseInput(UnkillBodySchema, request.body ?? {}, 'body')
      return update(request, {
        action: 'config.unkill',
        ...(reason === undefined ? {} : { reason }),
        apply: (current) => {
          const { killReason: _, ...rest } = current.config
          return { ...rest, killed: false }
        },
      })
    })

    app.post('/v1/admin/environments/:env/flags/:key/revert', async (request) => {
      const { env, key } = parseInput(EnvFlagParams, request.params, 'params')
      const { toVersion, reason } = parseInput(RevertBodySchema, request.body ?? {}, 'body')
      await requireEnvironment(ctx.store, env)
      const target = await ctx.store.getFlagConfig(env, key, toVersion)
      if (!target) {
        throw new HttpError(404, 'not_found', `flag "${key}" has no version ${toVersion} in ${env}`)
      }
      return update(request, {
        action: 'config.revert',
        reason: reason ?? `revert to version ${toVersion}`,
        apply: (current, { flag, segmentKeys }) => {
          const errors = checkFlagConfig(target.config, flag.variants, segmentKeys)
          if (errors.length > 0) {
            throw new HttpError(
              409,
              'revert_conflict',
              `version ${toVersion} refers to variants or segments that no longer exist`,
              { errors },
            )
          }
          return withRollout(target.config, current.config)
        },
      })
    })
  }
}

/**
 * `next` with the rollout reference of `current`: a change by hand leaves the
 * rollout's reference alone (the controller pauses or ends the rollout).
 */
function withRollout(next: FlagConfig, current: FlagConfig): FlagConfig {
  const { rollout: _, ...rest } = next
  return current.rollout === undefined ? rest : { ...rest, rollout: current.rollout }
}

/**
 * The fallthrough of a `percent` rollout: the treatment-first split
 * `[treatment p*100, control rest]`. Kept a split at 0 and 100 too, so that
 * raising the percent again keeps every unit's bucket.
 */
function rolloutServe(
  flag: StoredFlag,
  current: FlagConfig,
  input: z.output<typeof RolloutBodySchema>,
): Serve {
  const currentSplit = 'split' in current.fallthrough ? current.fallthrough : undefined
  const pair =
    currentSplit?.split.length === 2 ? currentSplit.split.map((w) => w.variant) : undefined
  const boolean = flag.kind === 'boolean'
  const treatment = input.treatment ?? pair?.[0] ?? (boolean ? 'on' : undefined)
  if (treatment === undefined) {
    throw new HttpError(
      400,
      'invalid_request',
      `invalid body: a ${flag.kind} flag needs "treatment"`,
      {
        errors: [{ path: '/treatment', message: `required for a ${flag.kind} flag` }],
      },
    )
  }
  const control =
    input.control ??
    (input.treatment === undefined ? pair?.[1] : undefined) ??
    (boolean ? (treatment === 'on' ? 'off' : 'on') : flag.offVariant)
  const errors = [
    ...(Object.hasOwn(flag.variants, treatment)
      ? []
      : [{ path: '/treatment', message: `unknown variant "${treatment}"` }]),
    ...(Object.hasOwn(flag.variants, control)
      ? []
      : [{ path: '/control', message: `unknown variant "${control}"` }]),
    ...(treatment === control ? [{ path: '/control', message: 'must differ from treatment' }] : []),
  ]
  if (errors.length > 0) {
    throw new HttpError(
      400,
      'invalid_request',
      `invalid body: ${errors[0]?.path} ${errors[0]?.message}`,
      {
        errors,
      },
    )
  }
  const weight = Math.round(input.percent * 100)
  return {
    split: [
      { variant: treatment, weight },
      { variant: control, weight: TOTAL_WEIGHT - weight },
    ],
    by: input.by ?? currentSplit?.by ?? 'userId',
  }
}
