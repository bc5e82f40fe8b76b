import { FLAGS, type FlagName } from './population'
import type {
  ColdStartRun,
  ColdStartSummary,
  EvaluationRun,
  EvaluationSummary,
  FlagSummary,
  PushRun,
} from './results'
import { overallShare } from './shares'
import { median } from './stats'

/** Groups runs by adapter, keeping the order in which adapters first appear. */
function byAdapter<T extends { adapter: string }>(runs: readonly T[]): T[][] {
  const groups = new Map<string, T[]>()
  for (const run of runs) groups.set(run.adapter, [...(groups.get(run.adapter) ?? []), run])
  return [...groups.values()]
}

/** Medians over rounds, per SDK and flag. */
export function summarizeEvaluation(runs: readonly EvaluationRun[]): EvaluationSummary[] {
  return byAdapter(runs).map((group) => {
    const first = group[0] as EvaluationRun
    const flags = Object.fromEntries(
      FLAGS.map((flag): [FlagName, FlagSummary] => {
        const measured = group.map((run) => {
          const m = run.flags.find((f) => f.flag === flag)
          if (!m) throw new Error(`${run.adapter} did not measure ${flag}`)
          return m
        })
        const last = measured[measured.length - 1]
        return [
          flag,
          {
            nsPerOp: median(measured.map((m) => m.nsPerOp)),
            nsPerOpRuns: measured.map((m) => m.nsPerOp),
            allocatedBytesPerOp: median(measured.map((m) => m.allocatedBytesPerOp)),
            retainedBytesPerOp: median(measured.map((m) => m.retainedBytesPerOp)),
            enabledShare: last ? overallShare(last.counts) : Number.NaN,
            evaluations: Math.min(...measured.map((m) => m.evaluations)),
          },
        ]
      }),
    ) as Record<FlagName, FlagSummary>
    return {
      adapter: first.adapter,
      name: first.name,
      packageName: first.packageName,
      version: first.version,
      mode: first.mode,
      flags,
      peakRssBytes: median(group.map((run) => run.peakRssBytes)),
      baselineRssBytes: median(group.map((run) => run.baselineRssBytes)),
    }
  })
}

/** Medians over fresh processes, per SDK. */
export function summarizeColdStart(runs: readonly ColdStartRun[]): ColdStartSummary[] {
  return byAdapter(runs).map((group) => {
    const first = group[0] as ColdStartRun
    return {
      adapter: first.adapter,
      name: first.name,
      packageName: first.packageName,
      version: first.version,
      importMs: median(group.map((run) => run.importMs)),
      startMs: median(group.map((run) => run.startMs)),
      firstEvaluationMs: median(group.map((run) => run.firstEvaluationMs)),
      readyMs: median(group.map((run) => run.startMs + run.firstEvaluationMs)),
      runs: group.length,
    }
  })
}

/** One run per push setup: the changes of every round pooled, in the order setups first appear. */
export function summarizePush(runs: readonly PushRun[]): PushRun[] {
  const pooled = new Map<string, PushRun>()
  for (const run of runs) {
    const seen = pooled.get(run.rig)
    pooled.set(
      run.rig,
      seen
        ? {
            ...seen,
            changes: seen.changes + run.changes,
            allMs: [...seen.allMs, ...run.allMs],
            eachMs: [...seen.eachMs, ...run.eachMs],
          }
        : run,
    )
  }
  return [...pooled.values()]
}
