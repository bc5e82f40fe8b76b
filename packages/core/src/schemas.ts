import { z } from 'zod'
import { toTime } from './coercion'
import {
  CONDITION_OPS,
  ENVIRONMENT_PATTERN,
  FLAG_KEY_PATTERN,
  LATENCY_BUCKETS_MS,
  MAX_ERROR_UNIT_HASHES,
  NAME_PATTERN,
  TOTAL_WEIGHT,
} from './constants'
import { parseSemver } from './semver'

/**
 * The shapes of DESIGN.md, schema first: every type is `z.infer` of the schema
 * next to it. Configuration objects (conditions, serves, rules, flags) are
 * strict, because an SDK that silently ignored a field it does not know could
 * evaluate a newer configuration wrongly; envelopes (snapshot, patch, signals)
 * strip unknown keys so servers can add metadata without breaking old SDKs.
 */

export const FlagKeySchema = z
  .string()
  .regex(FLAG_KEY_PATTERN, 'must match ^[a-z0-9][a-z0-9._-]{0,127}$')
export type FlagKey = z.infer<typeof FlagKeySchema>

export const VariantNameSchema = z
  .string()
  .regex(NAME_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')
export const SegmentKeySchema = VariantNameSchema
export const EnvironmentNameSchema = z
  .string()
  .regex(ENVIRONMENT_PATTERN, 'must match ^[a-z0-9][a-z0-9_-]{0,63}$')

/** A context attribute name; `userId`, `sessionId`, `instanceId` or anything the app sets. */
export const AttributeNameSchema = z.string().min(1).max(256)

export const FlagKindSchema = z.enum(['boolean', 'string', 'number', 'json'])
export type FlagKind = z.infer<typeof FlagKindSchema>

export const ConditionOpSchema = z.enum(CONDITION_OPS)
export type ConditionOp = z.infer<typeof ConditionOpSchema>

const ConditionValueSchema = z.union([z.string().max(1024), z.number(), z.boolean()])
export type ConditionValue = z.infer<typeof ConditionValueSchema>

/**
 * Strict semantic versions (`1.2.3`, `1.2.3-beta.1`, optional leading `v`);
 * build metadata allowed. For forms and tooling: conditions are checked with
 * the evaluator's own parser, which accepts exactly the same strings.
 */
export const SEMVER_PATTERN =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/

const NUMERIC_OPS: ReadonlySet<ConditionOp> = new Set(['gt', 'gte', 'lt', 'lte'])
const SEMVER_OPS: ReadonlySet<ConditionOp> = new Set(['semverGt', 'semverLt', 'semverEq'])
const DATE_OPS: ReadonlySet<ConditionOp> = new Set(['before', 'after'])
const SEGMENT_OPS: ReadonlySet<ConditionOp> = new Set(['inSegment', 'notInSegment'])
const VALUELESS_OPS: ReadonlySet<ConditionOp> = new Set(['exists', 'notExists'])

/**
 * One test on one context attribute. `values` is a list; the condition holds
 * when any value matches (for negated ops, `notIn`/`neq`, when none does).
 * Operator-specific value types are checked here, at parse time, so that
 * evaluation does no shape checks on its hot path.
 */
export const ConditionSchema = z
  .strictObject({
    attribute: AttributeNameSchema,
    op: ConditionOpSchema,
    values: z.array(ConditionValueSchema).max(10000),
  })
  .superRefine((c, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', path: ['values'], message })
    if (VALUELESS_OPS.has(c.op)) {
      if (c.values.length > 0) fail(`op "${c.op}" takes no values`)
      return
    }
    if (c.values.length === 0) return fail(`op "${c.op}" needs at least one value`)
    c.values.forEach((v, i) => {
      const at = (message: string) => ctx.addIssue({ code: 'custom', path: ['values', i], message })
      if (NUMERIC_OPS.has(c.op) && (typeof v !== 'number' || !Number.isFinite(v))) {
        at(`op "${c.op}" compares finite numbers`)
      } else if (SEMVER_OPS.has(c.op) && (typeof v !== 'string' || !parseSemver(v))) {
        at(`op "${c.op}" needs a semantic version such as 1.4.0`)
      } else if (DATE_OPS.has(c.op) && !isDateValue(v)) {
        at(`op "${c.op}" needs an ISO-8601 date string or epoch milliseconds`)
      } else if (SEGMENT_OPS.has(c.op) && !SegmentKeySchema.safeParse(v).success) {
        at(`op "${c.op}" takes segment keys`)
      }
    })
  })
export type Condition = z.infer<typeof ConditionSchema>

/** The evaluator's reading of dates: epoch ms, or ISO 8601 with no offset meaning UTC. */
function isDateValue(v: ConditionValue): boolean {
  return !Number.isNaN(toTime(v))
}

export const WeightedVariantSchema = z.strictObject({
  variant: VariantNameSchema,
  weight: z.int().min(0).max(TOTAL_WEIGHT),
})
export type WeightedVariant = z.infer<typeof WeightedVariantSchema>

/**
 * What a rule or the fallthrough serves: one variant, or a split over
 * variants in basis points (walked in order; treatment first for canaries)
 * hashed on the `by` attribute (default `userId`).
 */
export const ServeSchema = z.union([
  z.strictObject({ variant: VariantNameSchema }),
  z
    .strictObject({
      split: z.array(WeightedVariantSchema).min(1).max(100),
      by: AttributeNameSchema.optional(),
    })
    .superRefine((s, ctx) => {
      const total = s.split.reduce((sum, w) => sum + w.weight, 0)
      if (total !== TOTAL_WEIGHT) {
        ctx.addIssue({
          code: 'custom',
          path: ['split'],
          message: `weights must sum to ${TOTAL_WEIGHT} basis points, got ${total}`,
        })
      }
    }),
])
export type Serve = z.infer<typeof ServeSchema>
export type VariantServe = Extract<Serve, { variant: string }>
export type SplitServe = Extract<Serve, { split: unknown }>

export const RuleSchema = z.strictObject({
  /** Optional stable id, so tooling can refer to a rule across reorderings. */
  id: z.string().min(1).max(64).optional(),
  description: z.string().max(1024).optional(),
  conditions: z.array(ConditionSchema).max(100),
  serve: ServeSchema,
})
export type Rule = z.infer<typeof RuleSchema>

/** The in-process circuit breaker parameters a running rollout sends to SDKs. */
export const LocalGuardSchema = z.strictObject({
  minErrors: z.int().min(1).max(1_000_000),
  maxErrorRate: z.number().gt(0).max(1),
})
export type LocalGuard = z.infer<typeof LocalGuardSchema>

/** Present on a snapshot flag only while a staged rollout runs. */
export const RolloutRefSchema = z.strictObject({
  id: z.string().min(1).max(64),
  stage: z.int().min(0),
  treatment: VariantNameSchema,
  control: VariantNameSchema,
  localGuard: LocalGuardSchema.optional(),
})
export type RolloutRef = z.infer<typeof RolloutRefSchema>

export const JsonValueSchema = z.json()
export type JsonValue = z.infer<typeof JsonValueSchema>

/**
 * A flag's global definition, as an admin creates it. A boolean flag may omit
 * `variants` and `offVariant`: they default to `{ on: true, off: false }` and `off`.
 */
export const FlagDefinitionSchema = z.preprocess(
  (input) => {
    if (input && typeof input === 'object' && !Array.isArray(input)) {
      const o = input as Record<string, unknown>
      if (o.kind === 'boolean') {
        return { variants: { on: true, off: false }, offVariant: 'off', ...o }
      }
    }
    return input
  },
  z
    .strictObject({
      key: FlagKeySchema,
      kind: FlagKindSchema,
      variants: z.record(VariantNameSchema, JsonValueSchema),
      offVariant: VariantNameSchema,
      description: z.string().max(4096).default(''),
      tags: z.array(z.string().min(1).max(64)).max(50).default([]),
      /** May a browser (a `client` token) see this flag? */
      clientSide: z.boolean().default(false),
    })
    .superRefine((f, ctx) => {
      if (Object.keys(f.variants).length > 100) {
        ctx.addIssue({ code: 'custom', path: ['variants'], message: 'at most 100 variants' })
      }
      if (!Object.hasOwn(f.variants, f.offVariant)) {
        ctx.addIssue({
          code: 'custom',
          path: ['offVariant'],
          message: `unknown variant "${f.offVariant}"`,
        })
      }
      checkVariantValues(f.kind, f.variants, ctx)
    }),
)
export type FlagDefinition = z.infer<typeof FlagDefinitionSchema>
export type FlagDefinitionInput = z.input<typeof FlagDefinitionSchema>

/**
 * A flag's configuration in one environment, as an admin writes it. The
 * server adds `version` and `rollout` when it serves it.
 */
export const FlagConfigSchema = z.strictObject({
  enabled: z.boolean(),
  killed: z.boolean().default(false),
  /** Why the kill switch was pulled; kept for the audit trail and the dashboard. */
  killReason: z.string().max(1024).optional(),
  salt: z.string().min(1).max(256).optional(),
  rules: z.array(RuleSchema).max(1000).default([]),
  fallthrough: ServeSchema,
  /**
   * The running rollout that owns this configuration's split. Written by the
   * server's rollout controller only (the admin API refuses it in a body);
   * copied into the snapshot flag.
   */
  rollout: RolloutRefSchema.optional(),
})
export type FlagConfig = z.infer<typeof FlagConfigSchema>
export type FlagConfigInput = z.input<typeof FlagConfigSchema>

/**
 * A flag as a snapshot carries it: the global definition's evaluation fields
 * joined with its configuration in the snapshot's environment.
 */
export const SnapshotFlagSchema = z
  .strictObject({
    key: FlagKeySchema,
    kind: FlagKindSchema,
    /** Version of this flag's configuration in this environment. */
    version: z.int().min(0),
    variants: z.record(VariantNameSchema, JsonValueSchema),
    offVariant: VariantNameSchema,
    enabled: z.boolean(),
    killed: z.boolean(),
    salt: z.string().min(1).max(256),
    rules: z.array(RuleSchema).max(1000),
    fallthrough: ServeSchema,
    rollout: RolloutRefSchema.optional(),
    clientSide: z.boolean().optional(),
  })
  .superRefine((f, ctx) => {
    const known = (v: string) => Object.hasOwn(f.variants, v)
    if (!known(f.offVariant)) {
      ctx.addIssue({
        code: 'custom',
        path: ['offVariant'],
        message: `unknown variant "${f.offVariant}"`,
      })
    }
    checkServeVariants(f.fallthrough, known, ['fallthrough'], ctx)
    for (const [i, r] of f.rules.entries())
      checkServeVariants(r.serve, known, ['rules', i, 'serve'], ctx)
    checkVariantValues(f.kind, f.variants, ctx)
    if (f.rollout) {
      if (f.rollout.treatment === f.rollout.control) {
        ctx.addIssue({
          code: 'custom',
          path: ['rollout', 'control'],
          message: 'must differ from treatment',
        })
      }
      for (const side of ['treatment', 'control'] as const) {
        if (!known(f.rollout[side])) {
          ctx.addIssue({
            code: 'custom',
            path: ['rollout', side],
            message: `unknown variant "${f.rollout[side]}"`,
          })
        }
      }
    }
  })
export type SnapshotFlag = z.infer<typeof SnapshotFlagSchema>

/** Checks that every variant a serve names exists; shared by the server's config validation. */
export function checkServeVariants(
  serve: Serve,
  known: (variant: string) => boolean,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  if ('variant' in serve) {
    if (!known(serve.variant)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'variant'],
        message: `unknown variant "${serve.variant}"`,
      })
    }
    return
  }
  serve.split.forEach((w, i) => {
    if (!known(w.variant)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'split', i, 'variant'],
        message: `unknown variant "${w.variant}"`,
      })
    }
  })
}

/** Checks that every variant value has the flag's kind; a boolean flag has exactly `on`/`off`. */
export function checkVariantValues(
  kind: FlagKind,
  variants: Record<string, JsonValue>,
  ctx: z.RefinementCtx,
  path: (string | number)[] = ['variants'],
): void {
  const names = Object.keys(variants)
  if (names.length === 0) {
    ctx.addIssue({ code: 'custom', path, message: 'a flag needs at least one variant' })
  }
  if (
    kind === 'boolean' &&
    (variants.on !== true || variants.off !== false || names.length !== 2)
  ) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: 'a boolean flag has exactly { on: true, off: false }',
    })
    return
  }
  for (const name of names) {
    const value = variants[name]
    const ok =
      kind === 'json' ||
      (kind === 'string' && typeof value === 'string') ||
      (kind === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
      kind === 'boolean'
    if (!ok) ctx.addIssue({ code: 'custom', path: [...path, name], message: `must be a ${kind}` })
  }
}

/**
 * A named, reusable list of conditions (all must hold). Segments may not
 * refer to other segments: that keeps evaluation free of cycles.
 */
export const SegmentSchema = z
  .strictObject({
    description: z.string().max(1024).optional(),
    conditions: z.array(ConditionSchema).max(100),
  })
  .superRefine((s, ctx) => {
    s.conditions.forEach((c, i) => {
      if (SEGMENT_OPS.has(c.op)) {
        ctx.addIssue({
          code: 'custom',
          path: ['conditions', i, 'op'],
          message: 'a segment cannot refer to another segment',
        })
      }
    })
  })
export type Segment = z.infer<typeof SegmentSchema>

/** What `GET /v1/sdk/snapshot` returns and what the SDKs evaluate. */
export const SnapshotSchema = z
  .object({
    schemaVersion: z.literal(1),
    environment: EnvironmentNameSchema,
    /** The environment's version: bumped by every change in it. */
    version: z.int().min(0),
    flags: z.record(FlagKeySchema, SnapshotFlagSchema),
    segments: z.record(SegmentKeySchema, SegmentSchema).default({}),
  })
  .superRefine((s, ctx) => {
    for (const [key, flag] of Object.entries(s.flags)) {
      if (flag.key !== key) {
        ctx.addIssue({
          code: 'custom',
          path: ['flags', key, 'key'],
          message: `must equal its map key "${key}"`,
        })
      }
    }
  })
export type Snapshot = z.infer<typeof SnapshotSchema>
export type SnapshotInput = z.input<typeof SnapshotSchema>

/**
 * One change pushed over the stream (`event: patch`): a flag's new
 * configuration, or `null` when it was deleted (or a client token may no
 * longer see it); or likewise a segment. `version` is the environment's new
 * version. `previousVersion` is the version this stream delivered last (the
 * `put`, or the patch before): a client holding any other version has missed
 * a change and refetches. Client tokens do not see every change of their
 * environment, so `version - 1` would not do.
 */
const PatchVersionsShape = {
  version: z.int().min(1),
  previousVersion: z.int().min(0),
}
export const StreamPatchSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('flag'),
      ...PatchVersionsShape,
      key: FlagKeySchema,
      flag: SnapshotFlagSchema.nullable(),
    }),
    z.object({
      type: z.literal('segment'),
      ...PatchVersionsShape,
      key: SegmentKeySchema,
      segment: SegmentSchema.nullable(),
    }),
  ])
  .superRefine((p, ctx) => {
    if (p.previousVersion >= p.version) {
      ctx.addIssue({
        code: 'custom',
        path: ['previousVersion'],
        message: 'must be less than version',
      })
    }
    if (p.type === 'flag' && p.flag !== null && p.flag.key !== p.key) {
      ctx.addIssue({
        code: 'custom',
        path: ['flag', 'key'],
        message: `must equal the patch key "${p.key}"`,
      })
    }
  })
export type StreamPatch = z.infer<typeof StreamPatchSchema>

/** One context attribute: a scalar, a list of scalars, or `null` (explicitly absent). */
const ContextValueSchema = z.union([
  z.string().max(1024),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string().max(1024), z.number(), z.boolean()])).max(100),
])

/** A context sent over the wire (`POST /v1/sdk/evaluate`): at most 100 attributes. */
export const ContextSchema = z
  .record(AttributeNameSchema, ContextValueSchema)
  .refine((context) => Object.keys(context).length <= 100, {
    message: 'a context has at most 100 attributes',
  })

/** The body of `POST /v1/sdk/evaluate` and of its stream. */
export const EvaluationRequestSchema = z.strictObject({ context: ContextSchema.default({}) })
export type EvaluationRequest = z.infer<typeof EvaluationRequestSchema>

const CountSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER)

/** Latency of the calls attributed to one variant: count, sum, max and a fixed histogram. */
export const LatencySummarySchema = z.object({
  count: CountSchema,
  sumMs: z.number().min(0),
  maxMs: z.number().min(0),
  /** Counts per bucket of `LATENCY_BUCKETS_MS`, plus one last open bucket. */
  buckets: z.array(CountSchema).length(LATENCY_BUCKETS_MS.length + 1),
})
export type LatencySummary = z.infer<typeof LatencySummarySchema>

/** Outcomes attributed to one served variant during one window. */
export const VariantSignalsSchema = z.object({
  exposures: CountSchema,
  successes: CountSchema,
  errors: CountSchema,
  /**
   * Distinct units (the split's `by` value) that hit at least one error in
   * the window. The rollout test counts these, not raw errors, because a few
   * users retrying can produce most of the raw errors.
   */
  errorUnits: CountSchema.default(0),
  /**
   * Hashes (32-bit MurmurHash3 of the unit, seed `ERROR_UNIT_HASH_SEED`) of
   * the units counted in `errorUnits`, the smallest first and at most
   * `MAX_ERROR_UNIT_HASHES`, so the server can count a unit's first error
   * per rollout stage instead of once per window. Sent for flags under a
   * rollout only.
   */
  errorUnitHashes: z.array(z.int().min(0).max(0xffff_ffff)).max(MAX_ERROR_UNIT_HASHES).optional(),
  /** Units in `errorUnits` that `errorUnitHashes` does not list (over the cap, or errors without a unit). */
  errorUnitHashesDropped: CountSchema.optional(),
  latencyMs: LatencySummarySchema.optional(),
})
export type VariantSignals = z.infer<typeof VariantSignalsSchema>

/** `POST /v1/sdk/signals`: what one SDK instance saw in one window. */
export const SignalsBatchSchema = z.object({
  /** Unique per batch, so the server can drop a batch it already counted (retries). */
  id: z.string().min(8).max(64).optional(),
  sdk: z.object({
    name: z.string().min(1).max(64),
    version: z.string().min(1).max(64),
    instanceId: z.string().min(1).max(128),
  }),
  /** Epoch milliseconds. */
  window: z
    .object({ start: z.int().min(0), end: z.int().min(0) })
    .refine((w) => w.end >= w.start, { message: 'end must not be before start', path: ['end'] }),
  flags: z.record(FlagKeySchema, z.record(VariantNameSchema, VariantSignalsSchema)),
  /** Flags whose local guard tripped in this process during the window. */
  tripped: z.array(FlagKeySchema).max(10000).optional(),
  /** What the SDK had to drop (a backlog that outgrew its bound), reported rather than lost silently. */
  dropped: z
    .object({ batches: CountSchema, exposures: CountSchema, errors: CountSchema })
    .optional(),
})
export type SignalsBatch = z.infer<typeof SignalsBatchSchema>

/** One stage of a rollout plan. */
export const RolloutStageSchema = z.strictObject({
  percent: z.number().gt(0).max(100).multipleOf(0.01),
  minDurationSec: z
    .int()
    .min(0)
    .max(30 * 86400)
    .default(600),
  maxDurationSec: z
    .int()
    .min(1)
    .max(90 * 86400)
    .optional(),
  /** Minimum evidence for this stage; defaults to the guard's `minEvidence`. */
  minEvidence: z.number().min(0).optional(),
})
export type RolloutStage = z.infer<typeof RolloutStageSchema>

export const DEFAULT_ROLLOUT_PERCENTS = [1, 5, 25, 50, 100] as const

/** The plan `POST …/flags/:key/rollouts` takes; every field but the variants has a default. */
export const RolloutPlanSchema = z
  .strictObject({
    treatment: VariantNameSchema,
    control: VariantNameSchema,
    stages: z
      .array(RolloutStageSchema)
      .min(1)
      .max(20)
      .default(() => DEFAULT_ROLLOUT_PERCENTS.map((percent) => ({ percent, minDurationSec: 600 }))),
    guard: z
      .strictObject({
        /** Tolerated relative increase of treatment's bad-event rate over control's. */
        tolerance: z.number().min(0).max(10).default(0.1),
        /** False-alarm probability of the sequential test over the whole rollout. */
        alpha: z.number().gt(0).max(0.2).default(0.01),
        /** Expected bad events in treatment at control's rate before a stage may promote. */
        minEvidence: z.number().min(0).max(1e9).default(30),
        /** Optional latency guard: share of treatment calls slower than `thresholdMs`. */
        latency: z
          .strictObject({
            thresholdMs: z.number().gt(0),
            tolerance: z.number().min(0).max(10).default(0.1),
          })
          .optional(),
      })
      .prefault({}),
    onFailure: z.enum(['revert', 'kill']).default('revert'),
    localGuard: LocalGuardSchema.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.treatment === p.control) {
      ctx.addIssue({ code: 'custom', path: ['control'], message: 'must differ from treatment' })
    }
    for (let i = 1; i < p.stages.length; i++) {
      const prev = p.stages[i - 1]
      const cur = p.stages[i]
      if (prev && cur && cur.percent <= prev.percent) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'percent'],
          message: 'stages must increase',
        })
      }
    }
  })
export type RolloutPlan = z.infer<typeof RolloutPlanSchema>
export type RolloutPlanInput = z.input<typeof RolloutPlanSchema>

export const RolloutStatusSchema = z.enum(['running', 'paused', 'completed', 'reverted', 'aborted'])
export type RolloutStatus = z.infer<typeof RolloutStatusSchema>

/** One decision of the controller or an operator, with the evidence it rested on. */
export const RolloutDecisionSchema = z.object({
  at: z.string(),
  action: z.enum([
    'start',
    'promote',
    'hold',
    'pause',
    'resume',
    'revert',
    'kill',
    'complete',
    'abort',
  ]),
  reason: z.string(),
  /** The actor: `controller`, or the name of the token that asked. */
  by: z.string().optional(),
  stageIndex: z.int().min(0).optional(),
  evidence: z.record(z.string(), z.unknown()).optional(),
})
export type RolloutDecision = z.infer<typeof RolloutDecisionSchema>

/** A rollout's state, from `GET …/rollouts/current`. */
export const RolloutStateSchema = z.object({
  id: z.string(),
  flag: FlagKeySchema,
  environment: EnvironmentNameSchema,
  status: RolloutStatusSchema,
  stageIndex: z.int().min(0),
  percent: z.number(),
  startedAt: z.string(),
  stageStartedAt: z.string(),
  endedAt: z.string().optional(),
  plan: RolloutPlanSchema,
  /** Bumped by every stored change; each change is conditional on the version it read. */
  stateVersion: z.int().min(0),
  decisions: z.array(RolloutDecisionSchema),
})
export type RolloutState = z.infer<typeof RolloutStateSchema>

/** A zod-style parse result: `{ success: true, data }` or `{ success: false, error }`. */
export type ParseResult<T> = { success: true; data: T } | { success: false; error: z.ZodError }

/** Parses a snapshot from untrusted JSON; errors carry the path to what was wrong. */
export function parseSnapshot(input: unknown): ParseResult<Snapshot> {
  return SnapshotSchema.safeParse(input)
}

/** Parses one stream patch. */
export function parseStreamPatch(input: unknown): ParseResult<StreamPatch> {
  return StreamPatchSchema.safeParse(input)
}

/** Parses one snapshot flag. */
export function parseSnapshotFlag(input: unknown): ParseResult<SnapshotFlag> {
  return SnapshotFlagSchema.safeParse(input)
}

/** Parses a signals batch. */
export function parseSignalsBatch(input: unknown): ParseResult<SignalsBatch> {
  return SignalsBatchSchema.safeParse(input)
}

/** Parses a rollout plan, filling in the defaults. */
export function parseRolloutPlan(input: unknown): ParseResult<RolloutPlan> {
  return RolloutPlanSchema.safeParse(input)
}

/** A flat list of `{ path, message }` for a zod error: the shape problem+json responses carry. */
export function formatIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '/' : `/${issue.path.map(String).join('/')}`,
    message: issue.message,
  }))
}
