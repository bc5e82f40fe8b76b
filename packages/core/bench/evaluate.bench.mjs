// Evaluation speed and allocation of the built package, as an application
// sees it: `isEnabled` over 1,000,000 distinct, precomputed users.
//
//   pnpm --filter @floodgate/core bench
//   (node --expose-gc --max-semi-space-size=64 bench/evaluate.bench.mjs, after a build)
import { evaluate, FlagClient } from '../dist/index.js'

const USERS = 1_000_000
const RUNS = 7
const HEAP_SAMPLE = 200_000
const COUNTRIES = ['NZ', 'AU', 'US', 'GB', 'DE', 'FR', 'JP', 'BR']

function booleanFlag(key, config) {
  return {
    key,
    kind: 'boolean',
    version: 1,
    variants: { on: true, off: false },
    offVariant: 'off',
    enabled: true,
    killed: false,
    salt: key,
    rules: [],
    fallthrough: { variant: 'on' },
    ...config,
  }
}

function canary(percent) {
  return {
    split: [
      { variant: 'on', weight: percent * 100 },
      { variant: 'off', weight: 10000 - percent * 100 },
    ],
    by: 'userId',
  }
}

const flags = {
  'on-off': booleanFlag('on-off'),
  'canary-10': booleanFlag('canary-10', { fallthrough: canary(10) }),
  'rule-canary-25': booleanFlag('rule-canary-25', {
    rules: [
      {
        conditions: [{ attribute: 'country', op: 'in', values: ['NZ', 'AU', 'US', 'GB', 'DE'] }],
        serve: canary(25),
      },
    ],
    fallthrough: { variant: 'off' },
  }),
}

const client = new FlagClient({
  snapshot: { schemaVersion: 1, environment: 'production', version: 1, flags, segments: {} },
})

const users = Array.from({ length: USERS }, (_, i) => ({
  userId: `user-${i}`,
  country: COUNTRIES[i % COUNTRIES.length],
}))

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Nanoseconds per call of `fn(user)` over every user: the median of RUNS runs after a warm-up. */
function time(fn) {
  let sink = 0
  const runs = []
  for (let run = 0; run <= RUNS; run++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < USERS; i++) if (fn(users[i])) sink++
    const ns = Number(process.hrtime.bigint() - start) / USERS
    if (run > 0) runs.push(ns)
  }
  return { ns: median(runs), sink }
}

/** Heap growth per call, measured between two collections with no collection in between. */
function heapPerCall(fn) {
  globalThis.gc()
  const before = process.memoryUsage().heapUsed
  let sink = 0
  for (let i = 0; i < HEAP_SAMPLE; i++) if (fn(users[i])) sink++
  const after = process.memoryUsage().heapUsed
  return { bytes: Math.max(0, (after - before) / HEAP_SAMPLE), sink }
}

if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc')
  process.exit(1)
}

const cases = [
  ['baseline: the loop alone', (u) => u.userId.length > 10],
  ['isEnabled, on/off flag', (u) => client.isEnabled('on-off', u)],
  ['isEnabled, 10 % canary on userId', (u) => client.isEnabled('canary-10', u)],
  ['isEnabled, country in [5] + 25 % canary', (u) => client.isEnabled('rule-canary-25', u)],
  ['getDetails, 10 % canary', (u) => client.getDetails('canary-10', false, u).value],
  ['evaluate() pure, 10 % canary', (u) => evaluate(flags['canary-10'], u).value],
]

// The first measurement after building a million users sees their garbage; settle it first.
heapPerCall(() => false)
console.log(`Node ${process.version}, ${USERS.toLocaleString('en')} users, median of ${RUNS} runs`)
console.log('| case | ns/call | heap bytes/call | share on |')
console.log('|---|---:|---:|---:|')
for (const [name, fn] of cases) {
  const { ns, sink } = time(fn)
  const heap = heapPerCall(fn)
  const share = ((sink / (USERS * RUNS + USERS)) * 100).toFixed(1)
  console.log(`| ${name} | ${ns.toFixed(1)} | ${heap.bytes.toFixed(1)} | ${share} % |`)
}
