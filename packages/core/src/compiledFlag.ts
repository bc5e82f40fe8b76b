import { SaltedBucketer } from './bucket'
import { toUnit } from './coercion'
import { compileConditions, malformed, type Test } from './conditions'
import { TOTAL_WEIGHT } from './constants'
import type { ContextLayers } from './contextLayers'
import { ErrorCode, Reason } from './reasons'
import type { JsonValue, Serve, SnapshotFlag } from './schemas'
import type { SegmentTable } from './segmentTable'

/**
 * Where an evaluation writes why it chose what it chose. One object is reused
 * across evaluations, so the fast path (`isEnabled`) allocates nothing.
 */
export interface Resolution {
  reason: Reason
  /** The matching rule, or -1. */
  ruleIndex: number
  errorCode: ErrorCode | undefined
  errorMessage: string | undefined
  /** The `by` attribute of the split that served, if one did. */
  by: string | undefined
}

export function newResolution(): Resolution {
  return {
    reason: Reason.STATIC,
    ruleIndex: -1,
    errorCode: undefined,
    errorMessage: undefined,
    by: undefined,
  }
}

/** A serve, compiled: a fixed variant index, or a split walked over cumulative bounds. */
interface CompiledServe {
  /** The variant index of a fixed serve; -1 for a split. */
  readonly variant: number
  readonly by: string
  /** The `errorMessage` when the context lacks `by`, built once. */
  readonly missing: string
  readonly bucketer: SaltedBucketer | undefined
  /** Cumulative upper bounds (exclusive) of the split's entries. */
  readonly bounds: Int32Array
  /** The variant index of each split entry. */
  readonly indices: Int32Array
}

interface CompiledRule {
  readonly test: Test
  readonly serve: CompiledServe
}

const KILLED = 0
const DISABLED = 1
const STATIC = 2
const TARGETED = 3
const BROKEN = 4
type Mode = typeof KILLED | typeof DISABLED | typeof STATIC | typeof TARGETED | typeof BROKEN

/** The rollout of a flag, by variant index. */
export interface CompiledRollout {
  readonly id: string
  readonly treatment: number
  readonly control: number
  readonly localGuard: { readonly minErrors: number; readonly maxErrorRate: number } | undefined
}

/**
 * A snapshot flag prepared for evaluation: variants as indices, rules as
 * closures, each split's salt prefix hashed once. Compiling checks the shape
 * that evaluation relies on; a flag that fails is kept as a broken flag whose
 * evaluations report `PARSE_ERROR`, so one bad flag never breaks the others.
 */
export class CompiledFlag {
  readonly key: string
  readonly version: number
  readonly variantNames: readonly string[]
  readonly values: readonly JsonValue[]
  /** `values[i] === true`, for `isEnabled`. */
  readonly isOn: readonly boolean[]
  /** Every value is a boolean: `isEnabled` may serve it. */
  readonly isBoolean: boolean
  readonly offIndex: number
  readonly rollout: CompiledRollout | undefined
  /**
   * The attribute that identifies a unit for error counting when no split
   * served: the fallthrough split's `by`, else the first rule split's, else
   * `userId`.
   */
  readonly unitAttribute: string
  /** Segments the rules refer to, so a segment change names the flags it affects. */
  readonly segmentKeys: ReadonlySet<string>
  /** Why the flag could not be compiled; set only for a broken flag. */
  readonly problem: string | undefined
  /**
   * The variant index served whatever the context (an on/off, disabled or
   * killed flag), so `isEnabled` can skip reading the context; -1 otherwise.
   */
  readonly fixedIndex: number
  private readonly mode: Mode
  private readonly staticIndex: number
  private readonly rules: readonly CompiledRule[]
  private readonly fallthrough: CompiledServe | undefined

  /** `key` names the flag when given (a snapshot's map key); else the flag's own `key`. */
  constructor(
    source: SnapshotFlag,
    readonly segments: SegmentTable,
    key?: string,
  ) {
    let compiled: ReturnType<typeof compile> | undefined
    let problem: string | undefined
    try {
      compiled = compile(source, segments)
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error)
    }
    this.key = key ?? readKey(source) ?? ''
    if (compiled === undefined) {
      this.version = 0
      this.variantNames = []
      this.values = []
      this.isOn = []
      this.isBoolean = false
      this.offIndex = -1
      this.rollout = undefined
      this.unitAttribute = 'userId'
      this.segmentKeys = new Set()
      this.problem = problem ?? 'malformed flag'
      this.fixedIndex = -1
      this.mode = BROKEN
      this.staticIndex = -1
      this.rules = []
      this.fallthrough = undefined
      return
    }
    this.version = compiled.version
    this.variantNames = compiled.names
    this.values = compiled.values
    this.isOn = compiled.values.map((v) => v === true)
    this.isBoolean = compiled.values.every((v) => typeof v === 'boolean')
    this.offIndex = compiled.offIndex
    this.rollout = compiled.rollout
    this.unitAttribute = compiled.unitAttribute
    this.segmentKeys = compiled.segmentKeys
    this.problem = undefined
    this.rules = compiled.rules
    this.fallthrough = compiled.fallthrough
    this.staticIndex = compiled.fallthrough.variant
    this.mode = compiled.mode
    this.fixedIndex =
      this.mode === STATIC ? this.staticIndex : this.mode === TARGETED ? -1 : this.offIndex
  }

  /**
   * The index of the variant served to `context`, writing the reason into
   * `out`; -1 for a broken flag. Never throws for a compiled flag unless the
   * context itself throws (a getter).
   */
  resolve(context: ContextLayers, out: Resolution): number {
    out.ruleIndex = -1
    out.errorCode = undefined
    out.errorMessage = undefined
    out.by = undefined
    switch (this.mode) {
      case STATIC:
        out.reason = Reason.STATIC
        return this.staticIndex
      case KILLED:
        out.reason = Reason.KILLED
        return this.offIndex
      case DISABLED:
        out.reason = Reason.DISABLED
        return this.offIndex
      case BROKEN:
        out.reason = Reason.ERROR
        out.errorCode = ErrorCode.PARSE_ERROR
        out.errorMessage = this.problem
        return -1
    }
    const rules = this.rules
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule
      if (rule.test(context)) {
        out.reason = Reason.TARGETING_MATCH
        out.ruleIndex = i
        return this.serve(rule.serve, context, out)
      }
    }
    const fallthrough = this.fallthrough as CompiledServe
    out.reason = fallthrough.variant >= 0 ? Reason.DEFAULT : Reason.SPLIT
    return this.serve(fallthrough, context, out)
  }

  private serve(serve: CompiledServe, context: ContextLayers, out: Resolution): number {
    if (serve.variant >= 0) return serve.variant
    out.by = serve.by
    const unit = toUnit(context.get(serve.by))
    if (unit === undefined) {
      out.reason = Reason.ERROR
      out.errorCode = ErrorCode.TARGETING_KEY_MISSING
      out.errorMessage = serve.missing
      return this.offIndex
    }
    const b = (serve.bucketer as SaltedBucketer).bucket(unit)
    const bounds = serve.bounds
    for (let i = 0; i < bounds.length; i++) {
      if (b < (bounds[i] as number)) return serve.indices[i] as number
    }
    return this.offIndex
  }
}

export function readKey(source: unknown): string | undefined {
  try {
    const key =
      typeof source === 'object' && source !== null ? (source as { key?: unknown }).key : undefined
    return typeof key === 'string' ? key : undefined
  } catch {
    return undefined
  }
}

function compile(flag: SnapshotFlag, segments: SegmentTable) {
  if (typeof flag !== 'object' || flag === null) throw malformed('not an object')
  const { variants, offVariant, salt, rules, fallthrough, rollout } = flag
  if (typeof flag.key !== 'string') throw malformed('key')
  if (typeof variants !== 'object' || variants === null) throw malformed('variants')
  const names = Object.keys(variants)
  if (names.length === 0) throw malformed('no variants')
  const values = names.map((n) => variants[n] as JsonValue)
  const indexOf = (name: unknown, what: string): number => {
    const i = typeof name === 'string' ? names.indexOf(name) : -1
    if (i < 0) throw malformed(`${what} names unknown variant "${String(name)}"`)
    return i
  }
  const offIndex = indexOf(offVariant, 'offVariant')
  if (typeof salt !== 'string') throw malformed('salt')
  if (!Array.isArray(rules)) throw malformed('rules')
  let bucketer: SaltedBucketer | undefined
  const compileServe = (serve: Serve, what: string): CompiledServe => {
    if (typeof serve !== 'object' || serve === null) throw malformed(what)
    if ('variant' in serve) {
      return {
        variant: indexOf(serve.variant, what),
        by: '',
        missing: '',
        bucketer: undefined,
        bounds: new Int32Array(0),
        indices: new Int32Array(0),
      }
    }
    if (!Array.isArray(serve.split) || serve.split.length === 0) throw malformed(`${what} split`)
    const by = serve.by ?? 'userId'
    if (typeof by !== 'string') throw malformed(`${what} by`)
    const bounds = new Int32Array(serve.split.length)
    const indices = new Int32Array(serve.split.length)
    let total = 0
    serve.split.forEach((entry, i) => {
      const weight = entry?.weight
      if (!Number.isInteger(weight) || weight < 0) throw malformed(`${what} weight`)
      total += weight
      bounds[i] = total
      indices[i] = indexOf(entry.variant, what)
    })
    if (total !== TOTAL_WEIGHT) throw malformed(`${what} weights sum to ${total}`)
    bucketer ??= new SaltedBucketer(salt)
    const missing = `the context has no "${by}" to split on`
    return { variant: -1, by, missing, bucketer, bounds, indices }
  }
  const segmentKeys = new Set<string>()
  const compiledRules = rules.map((rule, i): CompiledRule => {
    if (typeof rule !== 'object' || rule === null) throw malformed(`rule ${i}`)
    if (!Array.isArray(rule.conditions)) throw malformed(`rule ${i} conditions`)
    for (const c of rule.conditions) {
      if ((c?.op === 'inSegment' || c?.op === 'notInSegment') && Array.isArray(c.values)) {
        for (const v of c.values) if (typeof v === 'string') segmentKeys.add(v)
      }
    }
    return {
      test: compileConditions(rule.conditions, segments),
      serve: compileServe(rule.serve, `rule ${i} serve`),
    }
  })
  const compiledFallthrough = compileServe(fallthrough, 'fallthrough')
  let compiledRollout: CompiledRollout | undefined
  if (rollout !== undefined && rollout !== null) {
    const guard = rollout.localGuard
    compiledRollout = {
      id: String(rollout.id),
      treatment: indexOf(rollout.treatment, 'rollout.treatment'),
      control: indexOf(rollout.control, 'rollout.control'),
      localGuard:
        guard && Number.isFinite(guard.minErrors) && Number.isFinite(guard.maxErrorRate)
          ? { minErrors: guard.minErrors, maxErrorRate: guard.maxErrorRate }
          : undefined,
    }
  }
  const unitAttribute =
    compiledFallthrough.variant < 0
      ? compiledFallthrough.by
      : (compiledRules.find((r) => r.serve.variant < 0)?.serve.by ?? 'userId')
  let mode: Mode = TARGETED
  if (flag.killed === true) mode = KILLED
  else if (flag.enabled !== true) mode = DISABLED
  else if (compiledRules.length === 0 && compiledFallthrough.variant >= 0) mode = STATIC
  return {
    mode,
    version: Number.isInteger(flag.version) ? flag.version : 0,
    names,
    values,
    offIndex,
    rules: compiledRules,
    fallthrough: compiledFallthrough,
    rollout: compiledRollout,
    unitAttribute,
    segmentKeys,
  }
}
