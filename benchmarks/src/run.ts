import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { bundleEntries, measureBundle } from './bundles/bundleSize'
import { runChild } from './childProcess'
import type { ColdStartWorkerOptions } from './coldStartWorker'
import { writeSection } from './docsSection'
import type { EvalWorkerOptions } from './evalWorker'
import { describeMachine } from './machine'
import { packageRoot } from './packageRoot'
import { POPULATION_SIZE } from './population'
import { checkPropagation, PEER_PROPAGATION } from './propagation'
import type { PushWorkerOptions } from './push/pushWorker'
import { renderReport } from './report'
import {
  type ColdStartRun,
  type EvaluationRun,
  PUSH_RIG_SDKS,
  type PushRigId,
  type PushRun,
  type SuiteOptions,
  type SuiteResult,
} from './results'
import { checkShares } from './shares'
import { summarizeColdStart, summarizeEvaluation, summarizePush } from './summary'

const PARTS = ['evaluation', 'cold-start', 'bundles', 'propagation', 'push'] as const
type Part = (typeof PARTS)[number]

const HELP = `Usage: node dist/run.js [options]

  --rounds <n>      evaluation rounds, one process per SDK each (default 3, or BENCH_ROUNDS)
  --users <n>       users per timed pass, a multiple of 10 (default 1000000)
  --cold-runs <n>   fresh processes per SDK for cold start (default 5)
  --warmup <n>      warm-up evaluations per flag, at most (default 200000)
  --warmup-ms <n>   warm-up time budget per flag (default 1000)
  --max-pass-ms <n> time budget of one flag's timed pass (default 4000)
  --push-clients <n> streaming clients per SDK in the push benchmark (default 100)
  --push-changes <n> timed changes per push setup and round (default 100)
  --only <ids>      comma-separated adapter / bundle ids (default: all)
  --skip <parts>    comma-separated: ${PARTS.join(', ')}
  --note <text>     a line shown above the tables (e.g. "provisional")
  --out <file>      JSON result file (default results/latest.json)
  --write-docs      rewrite the generated part of docs/benchmarks.md
  --help`

const here = dirname(fileURLToPath(import.meta.url))

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '3' },
      users: { type: 'string', default: String(POPULATION_SIZE) },
      'cold-runs': { type: 'string', default: '5' },
      warmup: { type: 'string', default: '200000' },
      'warmup-ms': { type: 'string', default: '1000' },
      'max-pass-ms': { type: 'string', default: '4000' },
      'push-clients': { type: 'string', default: '100' },
      'push-changes': { type: 'string', default: '100' },
      only: { type: 'string' },
      skip: { type: 'string', default: '' },
      note: { type: 'string' },
      out: { type: 'string', default: join(packageRoot(), 'results', 'latest.json') },
      'write-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(HELP)
    return 0
  }
  const options: SuiteOptions = {
    rounds: positiveInteger('rounds', values.rounds),
    users: positiveInteger('users', values.users),
    warmup: positiveInteger('warmup', values.warmup),
    warmupMs: positiveInteger('warmup-ms', values['warmup-ms']),
    maxPassMs: positiveInteger('max-pass-ms', values['max-pass-ms']),
    coldRuns: positiveInteger('cold-runs', values['cold-runs']),
    pushClients: positiveInteger('push-clients', values['push-clients']),
    pushChanges: positiveInteger('push-changes', values['push-changes']),
  }
  const only = values.only?.split(',').map((id) => id.trim())
  const skip = new Set(values.skip.split(',').filter(Boolean))
  for (const part of skip) {
    if (!PARTS.includes(part as Part)) throw new Error(`unknown part "${part}" in --skip`)
  }
  const runs = (part: Part) => !skip.has(part)

  const adapters = readdirSync(join(here, 'adapters'))
    .filter((file) => file.endsWith('.js'))
    .map((file) => file.slice(0, -3))
    .filter((id) => !only || only.includes(id))
    .sort()
  const started = Date.now()
  const result: SuiteResult = {
    startedAt: new Date(started).toISOString(),
    durationSeconds: 0,
    machine: describeMachine(),
    options,
    ...(values.note ? { note: values.note } : {}),
  }
  const problems: string[] = []

  if (runs('evaluation') && adapters.length > 0) {
    const evaluationRuns: EvaluationRun[] = []
    for (let round = 0; round < options.rounds; round++) {
      for (const adapter of alternate(adapters, round)) {
        log(`evaluation round ${round + 1}/${options.rounds}: ${adapter}`)
        const run = await runChild<EvaluationRun>(
          join(here, 'evalWorker.js'),
          {
            adapter,
            users: options.users,
            warmup: options.warmup,
            warmupMs: options.warmupMs,
            maxPassMs: options.maxPassMs,
          } satisfies EvalWorkerOptions,
          ['--expose-gc'],
        )
        for (const flag of run.flags) {
          for (const problem of checkShares(flag.flag, flag.counts)) {
            problems.push(`${run.name} (round ${round + 1}) ${problem}`)
          }
        }
        evaluationRuns.push(run)
      }
    }
    result.evaluation = { summary: summarizeEvaluation(evaluationRuns), runs: evaluationRuns }
  }

  if (runs('cold-start') && adapters.length > 0) {
    const coldRuns: ColdStartRun[] = []
    for (let run = 0; run < options.coldRuns; run++) {
      for (const adapter of alternate(adapters, run)) {
        log(`cold start ${run + 1}/${options.coldRuns}: ${adapter}`)
        coldRuns.push(
          await runChild<ColdStartRun>(join(here, 'coldStartWorker.js'), {
            adapter,
          } satisfies ColdStartWorkerOptions),
        )
      }
    }
    result.coldStart = { summary: summarizeColdStart(coldRuns), runs: coldRuns }
  }

  if (runs('bundles')) {
    const sizes = []
    for (const entry of bundleEntries(only)) {
      log(`bundle: ${entry.id} (${entry.kind})`)
      sizes.push(await measureBundle(entry))
    }
    result.bundles = sizes
  }

  if (runs('propagation')) result.propagation = checkPropagation(PEER_PROPAGATION)

  if (runs('push')) {
    const pushRuns: PushRun[] = []
    const rigs = (Object.keys(PUSH_RIG_SDKS) as PushRigId[]).filter(
      (id) => !only || only.includes(PUSH_RIG_SDKS[id]),
    )
    for (let round = 0; round < options.rounds; round++) {
      for (const rig of alternate(rigs, round)) {
        log(`push round ${round + 1}/${options.rounds}: ${rig}, ${options.pushClients} clients`)
        pushRuns.push(
          await runChild<PushRun>(join(here, 'push', 'pushWorker.js'), {
            rig,
            clients: options.pushClients,
            changes: options.pushChanges,
          } satisfies PushWorkerOptions),
        )
      }
    }
    result.push = summarizePush(pushRuns)
  }

  result.durationSeconds = (Date.now() - started) / 1000
  mkdirSync(dirname(values.out), { recursive: true })
  writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`)
  const report = renderReport(result)
  console.log(`\n${report}`)
  log(`results written to ${values.out}`)

  if (problems.length > 0) {
    console.error(
      `\nFAILED: some SDKs did not evaluate the benchmark flags as specified:\n  ${problems.join('\n  ')}`,
    )
    return 1
  }
  if (values['write-docs']) {
    const repoRoot = join(packageRoot(), '..')
    const docs = join(repoRoot, 'docs', 'benchmarks.md')
    writeSection(docs, report, repoRoot)
    log(`updated ${docs}`)
  }
  return 0
}

/** The adapters in order on even rounds and reversed on odd ones. */
function alternate<T>(ids: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...ids] : [...ids].reverse()
}

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got "${raw}"`)
  }
  return value
}

function log(message: string): void {
  console.error(`[bench] ${message}`)
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  },
)
