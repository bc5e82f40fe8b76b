/**
 * `pnpm bench:rollouts`: the rollout statistics on simulated traffic. Runs the
 * rollout controller's decision path on every batch (`FirstErrors` recounting
 * the listed error units per stage, `RolloutMonitor` / `StagePolicy` /
 * `SequentialTest` deciding) with an injected clock (no sleeping), spread over worker threads, seeded so that
 * every figure is reproducible. `--quick` runs a tenth of the runs.
 */
import { availableParallelism, cpus } from 'node:os'
import { isMainThread, parentPort, Worker } from 'node:worker_threads'
import type { RolloutPlanInput } from '@floodgate/core'
import { gridComparison } from './rolloutsGrid'
import { type RunResult, type Scenario, simulate, TRAFFIC } from './rolloutsSimulation'

const DESIGN_PLAN: RolloutPlanInput = {
  treatment: 'on',
  control: 'off',
  stages: [
    { percent: 1, minDurationSec: 600, maxDurationSec: 7200 },
    { percent: 5, minDurationSec: 600 },
    { percent: 25, minDurationSec: 600 },
    { percent: 50, minDurationSec: 600 },
    { percent: 100 },
  ],
}
const LATENCY_PLAN: RolloutPlanInput = {
  ...DESIGN_PLAN,
  guard: { latency: { thresholdMs: TRAFFIC.latencyThresholdMs } },
}
/** One stage that never promotes: the canary stays at `percent` until the guard acts. */
const fixedStage = (percent: number, guard?: RolloutPlanInput['guard']): RolloutPlanInput => ({
  treatment: 'on',
  control: 'off',
  stages: [{ percent, minDurationSec: 30 * 86400 }],
  ...(guard && { guard }),
})
const HOURS = 3600
/** Detection runs stop here; a test that has not fired by then counts as "never". */
const DETECTION_HORIZON = 4 * HOURS
const baseline = TRAFFIC.baselineErrorRate

type Kind = 'aa' | 'detect' | 'srm'
interface Entry {
  kind: Kind
  scenario: Scenario
}

const entries: Entry[] = [
  aa('A/A, design plan', 10_000, 1, {}),
  aa('A/A, sticky routing', 1_000, 2, { routing: 'sticky' }),
  aa('A/A, 500k users', 1_000, 3, { users: 500_000 }),
  aa('A/A, no broken clients', 1_000, 4, { brokenShare: 0 }),
  aa('A/A, errorClusterSize 3', 1_000, 5, {}, { errorClusterSize: 3 }),
  {
    kind: 'aa',
    scenario: {
      name: 'A/A, latency guard on',
      runs: 1_000,
      seed: 11,
      plan: LATENCY_PLAN,
      treatment: { kind: 'healthy' },
      latency: true,
      shadows: false,
      maxSimSec: 8 * HOURS,
    },
  },
  {
    kind: 'aa',
    scenario: {
      name: 'A/A, latency guard on, latencyClusterSize 1',
      runs: 500,
      seed: 12,
      plan: LATENCY_PLAN,
      treatment: { kind: 'healthy' },
      latency: true,
      shadows: false,
      maxSimSec: 8 * HOURS,
      monitor: { latencyClusterSize: 1 },
    },
  },
  detect('1.5x errors at 5 %', 1_000, 21, 0.5 * baseline),
  detect('2x errors at 5 %', 2_000, 22, baseline),
  detect('5x errors at 5 %', 2_000, 23, 4 * baseline),
  detect('2x errors at 5 %, errorClusterSize 3', 1_000, 24, baseline, { errorClusterSize: 3 }),
  // Bounds for the 2x goal, on the same traffic as the shipped row: a prior
  // that bets three quarters of its weight near 2x (one weight per
  // DEFAULT_RATIOS entry), and a test told the ratio outright. Alternatives
  // are relative to the tolerated ratio, 1.1 under the plan's default guard.
  detect('2x errors at 5 %, prior bet on 2x', 2_000, 22, baseline, {
    errorAlternatives: { weights: [0.2, 0.5, 6, 6, 2, 0.5, 0.3, 0.2, 0.2] },
  }),
  detect('2x errors at 5 %, oracle: told the ratio', 2_000, 22, baseline, {
    errorAlternatives: { ratios: [2 / 1.1] },
  }),
  {
    kind: 'detect',
    scenario: {
      name: '50 % errors at 1 %',
      runs: 2_000,
      seed: 31,
      plan: fixedStage(1),
      treatment: { kind: 'errors', extraErrorRate: 0.5 },
      latency: false,
      shadows: true,
      maxSimSec: 2 * HOURS,
    },
  },
  {
    kind: 'detect',
    scenario: {
      name: '1.5x slower at 5 %',
      runs: 500,
      seed: 41,
      plan: fixedStage(5, { latency: { thresholdMs: TRAFFIC.latencyThresholdMs } }),
      treatment: { kind: 'latency', factor: 1.5 },
      latency: true,
      shadows: false,
      maxSimSec: DETECTION_HORIZON,
    },
  },
  {
    kind: 'srm',
    scenario: {
      name: '2:1 split at 5 %',
      runs: 500,
      seed: 51,
      plan: fixedStage(5),
      treatment: { kind: 'healthy' },
      skew: 2,
      latency: false,
      shadows: false,
      maxSimSec: 4 * HOURS,
    },
  },
]

function aa(
  name: string,
  runs: number,
  seed: number,
  traffic: Scenario['traffic'],
  monitor?: Scenario['monitor'],
): Entry {
  return {
    kind: 'aa',
    scenario: {
      name,
      runs,
      seed,
      monitor,
      plan: DESIGN_PLAN,
      treatment: { kind: 'healthy' },
      latency: false,
      shadows: true,
      maxSimSec: 8 * HOURS,
      traffic,
    },
  }
}

function detect(
  name: string,
  runs: number,
  seed: number,
  extraErrorRate: number,
  monitor?: Scenario['monitor'],
): Entry {
  return {
    kind: 'detect',
    scenario: {
      name,
      runs,
      seed,
      monitor,
      plan: fixedStage(5),
      treatment: { kind: 'errors', extraErrorRate },
      latency: false,
      shadows: true,
      maxSimSec: DETECTION_HORIZON,
    },
  }
}

interface Task {
  entry: number
  from: number
  to: number
}
const CHUNK = 50

if (isMainThread) {
  await main()
} else {
  parentPort?.on('message', (task: Task | null) => {
    if (!task) return process.exit(0)
    const scenario = (entries[task.entry] as Entry).scenario
    const results: RunResult[] = []
    for (let i = task.from; i < task.to; i++) results.push(simulate(scenario, i))
    parentPort?.postMessage({ task, results })
  })
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick')
  const scale = quick ? 0.1 : 1
  const tasks: Task[] = []
  entries.forEach((e, entry) => {
    const runs = Math.max(CHUNK, Math.round(e.scenario.runs * scale))
    e.scenario.runs = runs
    for (let from = 0; from < runs; from += CHUNK) {
      tasks.push({ entry, from, to: Math.min(runs, from + CHUNK) })
    }
  })
  const results = entries.map(() => [] as RunResult[])
  const started = performance.now()
  const workers = Math.max(1, Math.min(availableParallelism(), 8))
  console.log(
    `rollout statistics: ${entries.length} scenarios, ${tasks.length * CHUNK} runs at most, ${workers} workers${quick ? ' (quick)' : ''}`,
  )
  let next = 0
  let done = 0
  await Promise.all(
    Array.from({ length: workers }, () => {
      const worker = new Worker(
        `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}) })`,
        { eval: true },
      )
      return new Promise<void>((resolve, reject) => {
        const feed = () => {
          const task = tasks[next++]
          worker.postMessage(task ?? null)
        }
        worker.on('message', ({ task, results: chunk }: { task: Task; results: RunResult[] }) => {
          ;(results[task.entry] as RunResult[]).push(...chunk)
          done++
          if (done % 20 === 0) {
            process.stderr.write(`\r${done}/${tasks.length} chunks`)
          }
          feed()
        })
        worker.on('error', reject)
        worker.on('exit', () => resolve())
        feed()
      })
    }),
  )
  process.stderr.write('\n')
  const grid = gridComparison(Math.round(4000 * scale))
  const seconds = (performance.now() - started) / 1000
  report(results, seconds)
  reportGrid(grid)
}

function reportGrid(grid: ReturnType<typeof gridComparison>): void {
  const names = Object.keys(grid[0]?.medians ?? {})
  console.log(
    '\n### Grid and weights in a clean model (independent calls, 1 % errors, batches of 250): median canary requests to the alarm\n',
  )
  console.log(`| mixture | ${names.join(' | ')} |`)
  console.log(`|---|${names.map(() => '---|').join('')}`)
  for (const row of grid) {
    console.log(
      `| ${row.name} | ${names.map((n) => fmt(row.medians[n] ?? Number.NaN)).join(' | ')} |`,
    )
  }
}

function report(results: RunResult[][], seconds: number): void {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`
  console.log(`\nMachine: ${machine}; wall time ${seconds.toFixed(0)} s\n`)

  console.log('### Healthy canaries (A/A): how often is the rollout stopped?\n')
  console.log(
    '| scenario | runs | false reverts | of which latency | false pauses (SRM) | completed | held once | rollout minutes | naive z every batch | raw errors, same test | units per window* |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  entries.forEach((e, i) => {
    if (e.kind !== 'aa') return
    const rs = results[i] as RunResult[]
    const n = rs.length
    const rate = (f: (r: RunResult) => boolean) => {
      const k = rs.filter(f).length
      return `${k} (${percent(k / n)})`
    }
    const reverts = rs.filter((r) => r.outcome === 'revert').length
    const minutes = sorted(rs.filter((r) => r.outcome === 'complete').map((r) => r.atSec / 60))
    console.log(
      `| ${e.scenario.name} | ${n} | ${rate((r) => r.outcome === 'revert')} ${ci(reverts, n)} | ${rate((r) => r.cause === 'latency')} | ${rate((r) => r.outcome === 'pause')} | ${rate((r) => r.outcome === 'complete')} | ${rate((r) => r.held)} | ${fmt(quantile(minutes, 0.5))} | ${rate((r) => r.shadow.naiveZ !== null)} | ${rate((r) => r.shadow.rawErrors !== null)} | ${rate((r) => r.shadow.unitsPerWindow !== null)} |`,
    )
  })
  const design = results[0] as RunResult[]
  const armRatio = (rs: RunResult[]) => quantile(sorted(rs.map((r) => r.armRatio)), 0.5).toFixed(2)
  const falseReverts = design.filter((r) => r.outcome === 'revert')
  const byStage = new Map<number, number>()
  for (const r of falseReverts) byStage.set(r.stageIndex, (byStage.get(r.stageIndex) ?? 0) + 1)
  const reasons =
    falseReverts.length === 0
      ? '. No false revert.'
      : `, ${armRatio(falseReverts)}× over the falsely reverted runs. False reverts by stage: ${[
          ...byStage.entries(),
        ]
          .sort((a, b) => a[0] - b[0])
          .map(([stage, k]) => `stage ${stage + 1}: ${percent(k / falseReverts.length)}`)
          .join(', ')}.`
  console.log(
    `\n${(entries[0] as Entry).scenario.name}: the users the first (1 %) stage put in treatment had a first-attempt error rate ${armRatio(design)}× control's (median over all runs)${reasons}`,
  )

  console.log('\n### Regressions: canary requests until the rollout reverts (median / p90)\n')
  console.log(
    '| scenario | runs | reverted | canary requests | seconds | observed bad-event ratio | naive z every batch | raw errors, same test | units per window* |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|')
  entries.forEach((e, i) => {
    if (e.kind !== 'detect') return
    const rs = results[i] as RunResult[]
    const q = (values: (number | null)[]) => {
      const s = sorted(values.map((v) => v ?? Number.POSITIVE_INFINITY))
      return `${fmt(quantile(s, 0.5))} / ${fmt(quantile(s, 0.9))}`
    }
    const reverted = (r: RunResult) => r.outcome === 'revert'
    // The comparisons watch errors: they say nothing about a latency regression.
    const errors = e.scenario.treatment.kind === 'errors'
    const shadow = (pick: (r: RunResult) => number | null) => (errors ? q(rs.map(pick)) : '—')
    console.log(
      `| ${e.scenario.name} | ${rs.length} | ${percent(rs.filter(reverted).length / rs.length)} | ${q(rs.map((r) => (reverted(r) ? r.canaryRequests : null)))} | ${q(rs.map((r) => (reverted(r) ? r.atSec : null)))} | ${errors ? quantile(sorted(rs.map((r) => r.observedRatio)), 0.5).toFixed(2) : '—'} | ${shadow((r) => r.shadow.naiveZ)} | ${shadow((r) => r.shadow.rawErrors)} | ${shadow((r) => r.shadow.unitsPerWindow)} |`,
    )
  })

  console.log('\n### Sample-ratio mismatch: time until the rollout pauses (median / p90)\n')
  console.log('| scenario | runs | paused | reverted | seconds | canary requests |')
  console.log('|---|---|---|---|---|---|')
  entries.forEach((e, i) => {
    if (e.kind !== 'srm') return
    const rs = results[i] as RunResult[]
    const paused = rs.filter((r) => r.outcome === 'pause')
    const q = (values: number[]) => {
      const s = sorted(values)
      return `${fmt(quantile(s, 0.5))} / ${fmt(quantile(s, 0.9))}`
    }
    console.log(
      `| ${e.scenario.name} | ${rs.length} | ${percent(paused.length / rs.length)} | ${percent(rs.filter((r) => r.outcome === 'revert').length / rs.length)} | ${q(paused.map((r) => r.atSec))} | ${q(paused.map((r) => r.canaryRequests))} |`,
    )
  })
  console.log(
    `\n"never": not within ${DETECTION_HORIZON / HOURS} h. * The guard before unit hashes, on the same traffic: each SDK window's distinct error units, compared at the exposure share.`,
  )
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b)
}

function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'never'
  return Math.round(x).toLocaleString('en-US')
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 2 : 1)} %`
}

/** Wilson 95 % interval of a proportion. */
function ci(k: number, n: number): string {
  const z = 1.96
  const p = k / n
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n)
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))
  return `[${(Math.max(0, centre - half) * 100).toFixed(1)}–${(Math.min(1, centre + half) * 100).toFixed(1)} %]`
}
