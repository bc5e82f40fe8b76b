import { toTime } from './coercion'
import {
  CONDITION_OPS,
  ENVIRONMENT_PATTERN,
  FLAG_KEY_PATTERN,
  NAME_PATTERN,
  TOTAL_WEIGHT,
} from './constants'
import type { JsonValue, Segment, Snapshot, SnapshotFlag, StreamPatch } from './schemas'
import { parseSemver } from './semver'

/**
 * The SDK's own check of what the server sends (snapshots and stream
 * patches), written without zod so that a browser bundle need not carry zod
 * (about 110 kB gzipped as the core uses it). It accepts exactly what
 * `SnapshotSchema` / `StreamPatchSchema` accept and returns the same data:
 * a test feeds both thousands of mutated snapshots and compares. The zod
 * schemas stay the single definition of the shapes; the server, the CLI and
 * `parseSnapshot` use them, and a schema change must be mirrored here or
 * that test fails.
 */

/** One problem found, as `formatIssues` shapes zod's. */
export interface ValidationIssue {
  path: string
  message: string
}

/** `{ success: true, data }` or `{ success: false, issues }`. */
export type ValidationResult<T> =
  | { success: true; data: T }
  | { success: false; issues: ValidationIssue[] }

type Path = readonly (string | number)[]

class Issues {
  readonly list: ValidationIssue[] = []
  add(path: Path, message: string): void {
    this.list.push({ path: path.length === 0 ? '/' : `/${path.join('/')}`, message })
  }
}

/** Checks a snapshot as `SnapshotSchema` does; unknown envelope keys are dropped, `segments` defaults to `{}`. */
export function validateSnapshot(input: unknown): ValidationResult<Snapshot> {
  const issues = new Issues()
  const data = snapshot(input, issues)
  return issues.list.length === 0 && data !== undefined
    ? { success: true, data }
    : { success: false, issues: fallback(issues) }
}

/** Checks a stream patch as `StreamPatchSchema` does. */
export function validateStreamPatch(input: unknown): ValidationResult<StreamPatch> {
  const issues = new Issues()
  const data = streamPatch(input, issues)
  return issues.list.length === 0 && data !== undefined
    ? { success: true, data }
    : { success: false, issues: fallback(issues) }
}

function fallback(issues: Issues): ValidationIssue[] {
  return issues.list.length > 0 ? issues.list : [{ path: '/', message: 'invalid' }]
}

const FLAG_KEY = FLAG_KEY_PATTERN
const NAME = NAME_PATTERN
const ENVIRONMENT = ENVIRONMENT_PATTERN
const KINDS: ReadonlySet<unknown> = new Set(['boolean', 'string', 'number', 'json'])
const OPS: ReadonlySet<unknown> = new Set(CONDITION_OPS)
const NUMERIC_OPS: ReadonlySet<unknown> = new Set(['gt', 'gte', 'lt', 'lte'])
const SEMVER_OPS: ReadonlySet<unknown> = new Set(['semverGt', 'semverLt', 'semverEq'])
const DATE_OPS: ReadonlySet<unknown> = new Set(['before', 'after'])
const SEGMENT_OPS: ReadonlySet<unknown> = new Set(['inSegment', 'notInSegment'])
const VALUELESS_OPS: ReadonlySet<unknown> = new Set(['exists', 'notExists'])

type Obj = Record<string, unknown>

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** An object with only `keys`: strict configuration objects reject what they do not know. */
function strict(v: unknown, keys: ReadonlySet<string>, path: Path, issues: Issues): v is Obj {
  if (!isObject(v)) {
    issues.add(path, 'expected an object')
    return false
  }
  for (const key of Object.keys(v)) {
    if (!keys.has(key)) issues.add([...path, key], 'unrecognized key')
  }
  return true
}

function string(v: unknown, path: Path, issues: Issues, min: number, max: number): v is string {
  if (typeof v !== 'string') issues.add(path, 'expected a string')
  else if (v.length < min || v.length > max) issues.add(path, `length must be ${min}..${max}`)
  else return true
  return false
}

function pattern(v: unknown, re: RegExp, path: Path, issues: Issues): v is string {
  if (typeof v === 'string' && re.test(v)) return true
  issues.add(path, `must match ${re.source}`)
  return false
}

function int(v: unknown, path: Path, issues: Issues, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return true
  issues.add(path, `expected an integer in ${min}..${max}`)
  return false
}

function boolean(v: unknown, path: Path, issues: Issues): v is boolean {
  if (typeof v === 'boolean') return true
  issues.add(path, 'expected a boolean')
  return false
}

function array(v: unknown, path: Path, issues: Issues, min: number, max: number): v is unknown[] {
  if (!Array.isArray(v)) issues.add(path, 'expected an array')
  else if (v.length < min || v.length > max) issues.add(path, `must have ${min}..${max} items`)
  else return true
  return false
}

function isJson(v: unknown): v is JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true
  if (typeof v === 'number') return Number.isFinite(v)
  if (Array.isArray(v)) return v.every(isJson)
  return isObject(v) && Object.values(v).every(isJson)
}

function snapshot(v: unknown, issues: Issues): Snapshot | undefined {
  if (!isObject(v)) {
    issues.add([], 'expected an object')
    return undefined
  }
  if (v.schemaVersion !== 1) issues.add(['schemaVersion'], 'expected 1')
  pattern(v.environment, ENVIRONMENT, ['environment'], issues)
  int(v.version, ['version'], issues, 0)
  if (!isObject(v.flags)) issues.add(['flags'], 'expected an object')
  else {
    for (const [key, flag] of Object.entries(v.flags)) {
      if (!pattern(key, FLAG_KEY, ['flags', key], issues)) continue
      snapshotFlag(flag, ['flags', key], issues)
      if (isObject(flag) && flag.key !== key) {
        issues.add(['flags', key, 'key'], `must equal its map key "${key}"`)
      }
    }
  }
  const segments = v.segments === undefined ? {} : v.segments
  if (!isObject(segments)) issues.add(['segments'], 'expected an object')
  else {
    for (const [key, s] of Object.entries(segments)) {
      if (pattern(key, NAME, ['segments', key], issues)) segment(s, ['segments', key], issues)
    }
  }
  if (issues.list.length > 0) return undefined
  return {
    schemaVersion: 1,
    environment: v.environment as string,
    version: v.version as number,
    flags: v.flags as Record<string, SnapshotFlag>,
    segments: segments as Record<string, Segment>,
  }
}

function streamPatch(v: unknown, issues: Issues): StreamPatch | undefined {
  if (!isObject(v)) {
    issues.add([], 'expected an object')
    return undefined
  }
  if (v.type !== 'flag' && v.type !== 'segment') {
    issues.add(['type'], 'expected "flag" or "segment"')
    return undefined
  }
  const versions = int(v.version, ['version'], issues, 1)
  const previous = int(v.previousVersion, ['previousVersion'], issues, 0)
  if (versions && previous && (v.previousVersion as number) >= (v.version as number)) {
    issues.add(['previousVersion'], 'must be less than version')
  }
  const base = { version: v.version as number, previousVersion: v.previousVersion as number }
  if (v.type === 'flag') {
    pattern(v.key, FLAG_KEY, ['key'], issues)
    if (v.flag !== null) {
      snapshotFlag(v.flag, ['flag'], issues)
      if (isObject(v.flag) && v.flag.key !== v.key) {
        issues.add(['flag', 'key'], `must equal the patch key "${String(v.key)}"`)
      }
    }
    if (issues.list.length > 0) return undefined
    return { type: 'flag', ...base, key: v.key as string, flag: v.flag as SnapshotFlag | null }
  }
  pattern(v.key, NAME, ['key'], issues)
  if (v.segment !== null) segment(v.segment, ['segment'], issues)
  if (issues.list.length > 0) return undefined
  return { type: 'segment', ...base, key: v.key as string, segment: v.segment as Segment | null }
}

const FLAG_KEYS = new Set([
  'key',
  'kind',
  'version',
  'variants',
  'offVariant',
  'enabled',
  'killed',
  'salt',
  'rules',
  'fallthrough',
  'rollout',
  'clientSide',
])

function snapshotFlag(f: unknown, path: Path, issues: Issues): void {
  if (!strict(f, FLAG_KEYS, path, issues)) return
  const before = issues.list.length
  pattern(f.key, FLAG_KEY, [...path, 'key'], issues)
  if (!KINDS.has(f.kind)) issues.add([...path, 'kind'], 'expected boolean, string, number or json')
  int(f.version, [...path, 'version'], issues, 0)
  const variants = f.variants
  if (!isObject(variants)) issues.add([...path, 'variants'], 'expected an object')
  else {
    for (const [name, value] of Object.entries(variants)) {
      pattern(name, NAME, [...path, 'variants', name], issues)
      if (!isJson(value)) issues.add([...path, 'variants', name], 'expected a JSON value')
    }
  }
  pattern(f.offVariant, NAME, [...path, 'offVariant'], issues)
  boolean(f.enabled, [...path, 'enabled'], issues)
  boolean(f.killed, [...path, 'killed'], issues)
  string(f.salt, [...path, 'salt'], issues, 1, 256)
  if (array(f.rules, [...path, 'rules'], issues, 0, 1000)) {
    for (const [i, r] of f.rules.entries()) rule(r, [...path, 'rules', i], issues)
  }
  serve(f.fallthrough, [...path, 'fallthrough'], issues)
  if (f.rollout !== undefined) rolloutRef(f.rollout, [...path, 'rollout'], issues)
  if (f.clientSide !== undefined) boolean(f.clientSide, [...path, 'clientSide'], issues)
  // Cross-field checks only on a well-formed flag, as zod's refinements.
  if (issues.list.length > before) return
  const flag = f as SnapshotFlag
  const known = (name: string) => Object.hasOwn(flag.variants, name)
  if (!known(flag.offVariant)) {
    issues.add([...path, 'offVariant'], `unknown variant "${flag.offVariant}"`)
  }
  serveVariants(flag.fallthrough, known, [...path, 'fallthrough'], issues)
  for (const [i, r] of flag.rules.entries()) {
    serveVariants(r.serve, known, [...path, 'rules', i, 'serve'], issues)
  }
  variantValues(flag, [...path, 'variants'], issues)
  if (flag.rollout) {
    if (flag.rollout.treatment === flag.rollout.control) {
      issues.add([...path, 'rollout', 'control'], 'must differ from treatment')
    }
    for (const side of ['treatment', 'control'] as const) {
      if (!known(flag.rollout[side])) {
        issues.add([...path, 'rollout', side], `unknown variant "${flag.rollout[side]}"`)
      }
    }
  }
}

function serveVariants(
  s: SnapshotFlag['fallthrough'],
  known: (name: string) => boolean,
  path: Path,
  issues: Issues,
): void {
  if ('variant' in s) {
    if (!known(s.variant)) issues.add([...path, 'variant'], `unknown variant "${s.variant}"`)
    return
  }
  s.split.forEach((w, i) => {
    if (!known(w.variant)) {
      issues.add([...path, 'split', i, 'variant'], `unknown variant "${w.variant}"`)
    }
  })
}

function variantValues(flag: SnapshotFlag, path: Path, issues: Issues): void {
  const names = Object.keys(flag.variants)
  if (names.length === 0) issues.add(path, 'a flag needs at least one variant')
  if (flag.kind === 'boolean') {
    const { on, off } = flag.variants
    if (on !== true || off !== false || names.length !== 2) {
      issues.add(path, 'a boolean flag has exactly { on: true, off: false }')
    }
    return
  }
  for (const name of names) {
    const value = flag.variants[name]
    const ok =
      flag.kind === 'json' ||
      (flag.kind === 'string' && typeof value === 'string') ||
      (flag.kind === 'number' && typeof value === 'number' && Number.isFinite(value))
    if (!ok) issues.add([...path, name], `must be a ${flag.kind}`)
  }
}

const RULE_KEYS = new Set(['id', 'description', 'conditions', 'serve'])

function rule(r: unknown, path: Path, issues: Issues): void {
  if (!strict(r, RULE_KEYS, path, issues)) return
  if (r.id !== undefined) string(r.id, [...path, 'id'], issues, 1, 64)
  if (r.description !== undefined) string(r.description, [...path, 'description'], issues, 0, 1024)
  if (array(r.conditions, [...path, 'conditions'], issues, 0, 100)) {
    for (const [i, c] of r.conditions.entries()) condition(c, [...path, 'conditions', i], issues)
  }
  serve(r.serve, [...path, 'serve'], issues)
}

const CONDITION_KEYS = new Set(['attribute', 'op', 'values'])

function condition(c: unknown, path: Path, issues: Issues): void {
  if (!strict(c, CONDITION_KEYS, path, issues)) return
  const before = issues.list.length
  string(c.attribute, [...path, 'attribute'], issues, 1, 256)
  if (!OPS.has(c.op)) issues.add([...path, 'op'], 'unknown operator')
  if (array(c.values, [...path, 'values'], issues, 0, 10000)) {
    c.values.forEach((v, i) => {
      const ok =
        (typeof v === 'string' && v.length <= 1024) ||
        (typeof v === 'number' && Number.isFinite(v)) ||
        typeof v === 'boolean'
      if (!ok) issues.add([...path, 'values', i], 'expected a string, number or boolean')
    })
  }
  if (issues.list.length > before) return
  const op = c.op
  const values = c.values as (string | number | boolean)[]
  if (VALUELESS_OPS.has(op)) {
    if (values.length > 0) issues.add([...path, 'values'], `op "${op}" takes no values`)
    return
  }
  if (values.length === 0) {
    issues.add([...path, 'values'], `op "${op}" needs at least one value`)
    return
  }
  values.forEach((v, i) => {
    const at = [...path, 'values', i]
    if (NUMERIC_OPS.has(op) && typeof v !== 'number') {
      issues.add(at, `op "${op}" compares finite numbers`)
    } else if (SEMVER_OPS.has(op) && (typeof v !== 'string' || !parseSemver(v))) {
      issues.add(at, `op "${op}" needs a semantic version such as 1.4.0`)
    } else if (DATE_OPS.has(op) && Number.isNaN(toTime(v))) {
      issues.add(at, `op "${op}" needs an ISO-8601 date string or epoch milliseconds`)
    } else if (SEGMENT_OPS.has(op) && (typeof v !== 'string' || !NAME.test(v))) {
      issues.add(at, `op "${op}" takes segment keys`)
    }
  })
}

const VARIANT_SERVE_KEYS = new Set(['variant'])
const SPLIT_SERVE_KEYS = new Set(['split', 'by'])
const WEIGHT_KEYS = new Set(['variant', 'weight'])

/** One variant, or a split: the first shape that fits, as zod's union. */
function serve(s: unknown, path: Path, issues: Issues): void {
  const asVariant = new Issues()
  if (strict(s, VARIANT_SERVE_KEYS, path, asVariant)) {
    pattern(s.variant, NAME, [...path, 'variant'], asVariant)
  }
  if (asVariant.list.length === 0) return
  const asSplit = new Issues()
  if (strict(s, SPLIT_SERVE_KEYS, path, asSplit)) {
    if (array(s.split, [...path, 'split'], asSplit, 1, 100)) {
      s.split.forEach((w, i) => {
        const at = [...path, 'split', i]
        if (!strict(w, WEIGHT_KEYS, at, asSplit)) return
        pattern(w.variant, NAME, [...at, 'variant'], asSplit)
        int(w.weight, [...at, 'weight'], asSplit, 0, TOTAL_WEIGHT)
      })
    }
    if (s.by !== undefined) string(s.by, [...path, 'by'], asSplit, 1, 256)
    if (asSplit.list.length === 0) {
      const total = (s.split as { weight: number }[]).reduce((sum, w) => sum + w.weight, 0)
      if (total !== TOTAL_WEIGHT) {
        asSplit.add(
          [...path, 'split'],
          `weights must sum to ${TOTAL_WEIGHT} basis points, got ${total}`,
        )
      }
    }
  }
  if (asSplit.list.length === 0) return
  // Neither fits: report the shape the input looks like it meant.
  const meant = isObject(s) && 'split' in s ? asSplit : asVariant
  issues.list.push(...meant.list)
}

const ROLLOUT_KEYS = new Set(['id', 'stage', 'treatment', 'control', 'localGuard'])
const GUARD_KEYS = new Set(['minErrors', 'maxErrorRate'])

function rolloutRef(r: unknown, path: Path, issues: Issues): void {
  if (!strict(r, ROLLOUT_KEYS, path, issues)) return
  string(r.id, [...path, 'id'], issues, 1, 64)
  int(r.stage, [...path, 'stage'], issues, 0)
  pattern(r.treatment, NAME, [...path, 'treatment'], issues)
  pattern(r.control, NAME, [...path, 'control'], issues)
  if (r.localGuard === undefined) return
  const at = [...path, 'localGuard']
  if (!strict(r.localGuard, GUARD_KEYS, at, issues)) return
  int(r.localGuard.minErrors, [...at, 'minErrors'], issues, 1, 1_000_000)
  const rate = r.localGuard.maxErrorRate
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) {
    issues.add([...at, 'maxErrorRate'], 'expected a number in (0, 1]')
  }
}

const SEGMENT_KEYS = new Set(['description', 'conditions'])

function segment(s: unknown, path: Path, issues: Issues): void {
  if (!strict(s, SEGMENT_KEYS, path, issues)) return
  if (s.description !== undefined) string(s.description, [...path, 'description'], issues, 0, 1024)
  if (!array(s.conditions, [...path, 'conditions'], issues, 0, 100)) return
  const before = issues.list.length
  for (const [i, c] of s.conditions.entries()) condition(c, [...path, 'conditions', i], issues)
  if (issues.list.length > before) return
  ;(s.conditions as { op: string }[]).forEach((c, i) => {
    if (SEGMENT_OPS.has(c.op)) {
      issues.add([...path, 'conditions', i, 'op'], 'a segment cannot refer to another segment')
    }
  })
}
