import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseSnapshot, parseStreamPatch } from './schemas'
import { validateSnapshot, validateStreamPatch } from './snapshotValidator'

/** A snapshot that uses every shape: every operator, splits, a rollout, segments, each kind. */
const RICH = {
  schemaVersion: 1,
  environment: 'production',
  version: 42,
  extra: 'servers may add envelope fields',
  flags: {
    'new-checkout': {
      key: 'new-checkout',
      kind: 'boolean',
      version: 7,
      variants: { on: true, off: false },
      offVariant: 'off',
      enabled: true,
      killed: false,
      salt: 'new-checkout',
      clientSide: true,
      rules: [
        {
          id: 'staff',
          description: 'staff first',
          conditions: [
            { attribute: 'email', op: 'endsWith', values: ['@acme.com'] },
            { attribute: 'country', op: 'in', values: ['NZ', 'DE', 3, true] },
            { attribute: 'age', op: 'gte', values: [18] },
            { attribute: 'app', op: 'semverGt', values: ['1.4.0'] },
            { attribute: 'signup', op: 'before', values: ['2026-01-01T00:00:00Z', 1700000000000] },
            { attribute: 'userId', op: 'inSegment', values: ['internal-users'] },
            { attribute: 'beta', op: 'exists', values: [] },
          ],
          serve: { variant: 'on' },
        },
      ],
      fallthrough: {
        split: [
          { variant: 'on', weight: 500 },
          { variant: 'off', weight: 9500 },
        ],
        by: 'userId',
      },
      rollout: {
        id: 'r_12',
        stage: 1,
        treatment: 'on',
        control: 'off',
        localGuard: { minErrors: 20, maxErrorRate: 0.5 },
      },
    },
    theme: {
      key: 'theme',
      kind: 'string',
      version: 1,
      variants: { light: 'light', dark: 'dark' },
      offVariant: 'light',
      enabled: true,
      killed: false,
      salt: 'theme',
      rules: [],
      fallthrough: { variant: 'dark' },
    },
    limits: {
      key: 'limits',
      kind: 'json',
      version: 3,
      variants: { small: { upload: 10, types: ['png'] }, big: null },
      offVariant: 'small',
      enabled: false,
      killed: true,
      salt: 'limits-2',
      rules: [],
      fallthrough: { variant: 'big' },
    },
    ratio: {
      key: 'ratio',
      kind: 'number',
      version: 0,
      variants: { a: 0.5, b: 2 },
      offVariant: 'a',
      enabled: true,
      killed: false,
      salt: 'ratio',
      rules: [],
      fallthrough: { variant: 'b' },
    },
  },
  segments: {
    'internal-users': {
      description: 'staff',
      conditions: [{ attribute: 'country', op: 'in', values: ['NZ'] }],
    },
  },
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Every path into a JSON value, the root included. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix]
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...prefix, i]))
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]))
  }
  return out
}

type Mutation = { kind: 'set'; value: Json } | { kind: 'delete' } | { kind: 'add'; key: string }

function mutate(root: Json, path: (string | number)[], mutation: Mutation): Json {
  const copy = structuredClone(root) as Json
  if (path.length === 0) {
    if (mutation.kind === 'set') return mutation.value
    if (
      mutation.kind === 'add' &&
      copy !== null &&
      typeof copy === 'object' &&
      !Array.isArray(copy)
    )
      copy[mutation.key] = 1
    return copy
  }
  let parent = copy as Record<string | number, Json>
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>
  const last = path[path.length - 1] as string | number
  if (mutation.kind === 'set') parent[last] = mutation.value
  else if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1)
    else delete parent[last]
  } else {
    const target = parent[last]
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      target[mutation.key] = 1
    }
  }
  return copy
}

/** Values that sit on the edges of what the schemas accept. */
const EDGE_VALUES: Json[] = [
  '',
  'x',
  'on',
  'off',
  'dark',
  'a',
  'b',
  'new-checkout',
  'Upper',
  '-dash',
  'x'.repeat(65),
  'x'.repeat(257),
  'x'.repeat(1025),
  '1.4.0',
  'v1.2.3-beta.1',
  '1.2',
  '2026-01-01',
  'not a date',
  'internal-users',
  'in',
  'exists',
  'inSegment',
  'boolean',
  'json',
  0,
  1,
  -1,
  0.5,
  2,
  18,
  500,
  9500,
  10000,
  10001,
  1_000_001,
  2 ** 53,
  true,
  false,
  null,
  [],
  {},
  ['on'],
  { variant: 'on' },
  { variant: 'off', weight: 10000 },
  { split: [{ variant: 'on', weight: 10000 }] },
  { attribute: 'a', op: 'exists', values: [] },
]

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), value: fc.constantFrom(...EDGE_VALUES) }),
  fc.record({
    kind: fc.constant('set' as const),
    value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  }),
  fc.record({ kind: fc.constant('delete' as const) }),
  fc.record({
    kind: fc.constant('add' as const),
    key: fc.constantFrom('extra', 'by', 'id', 'variant'),
  }),
)

function agree(
  input: unknown,
  zod: ReturnType<typeof parseSnapshot> | ReturnType<typeof parseStreamPatch>,
  ours: ReturnType<typeof validateSnapshot> | ReturnType<typeof validateStreamPatch>,
) {
  expect({ input, success: ours.success }).toEqual({ input, success: zod.success })
  if (ours.success && zod.success) expect(ours.data).toEqual(zod.data)
  if (!ours.success) expect(ours.issues.length).toBeGreaterThan(0)
}

describe('validateSnapshot', () => {
  it('should accept the rich snapshot as zod does, dropping unknown envelope keys', () => {
    const ours = validateSnapshot(RICH)
    expect(ours.success).toBe(true)
    agree(RICH, parseSnapshot(RICH), ours)
    expect(ours.success && 'extra' in ours.data).toBe(false)
    const bare = { ...RICH, segments: undefined }
    agree(bare, parseSnapshot(bare), validateSnapshot(bare))
  })

  it('should accept and reject exactly what SnapshotSchema does, on mutated snapshots', () => {
    const all = paths(RICH as Json)
    fc.assert(
      fc.property(fc.nat(all.length - 1), mutation, (index, m) => {
        const input = mutate(RICH as Json, all[index] as (string | number)[], m)
        agree(input, parseSnapshot(input), validateSnapshot(input))
      }),
      { numRuns: 5000 },
    )
  })

  it('should name the path of what is wrong', () => {
    const input = mutate(RICH as Json, ['flags', 'theme', 'fallthrough', 'variant'], {
      kind: 'set',
      value: 'missing',
    })
    const ours = validateSnapshot(input)
    expect(ours.success ? [] : ours.issues).toEqual([
      { path: '/flags/theme/fallthrough/variant', message: 'unknown variant "missing"' },
    ])
  })
})

describe('validateStreamPatch', () => {
  const flagPatch = {
    type: 'flag',
    previousVersion: 42,
    version: 43,
    key: 'new-checkout',
    flag: RICH.flags['new-checkout'],
    extra: 1,
  }
  const segmentPatch = {
    type: 'segment',
    previousVersion: 3,
    version: 9,
    key: 'internal-users',
    segment: RICH.segments['internal-users'],
  }

  it('should accept and reject exactly what StreamPatchSchema does, on mutated patches', () => {
    for (const base of [
      flagPatch,
      segmentPatch,
      { ...flagPatch, flag: null },
      { ...segmentPatch, segment: null },
    ]) {
      const all = paths(base as Json)
      fc.assert(
        fc.property(fc.nat(all.length - 1), mutation, (index, m) => {
          const input = mutate(base as Json, all[index] as (string | number)[], m)
          agree(input, parseStreamPatch(input), validateStreamPatch(input))
        }),
        { numRuns: 1500 },
      )
    }
  })
})
