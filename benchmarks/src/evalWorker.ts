import { PerformanceObserver, performance } from 'node:perf_hooks'
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Evaluator } from './adapter'
import { loadAdapter } from './loadAdapter'
import { installedVersion } from './packageRoot'
import { type BenchUser, createPopulation, FLAGS, type FlagName } from './population'
import type { EvaluationRun, FlagMeasurement } from './results'
import type { ShareCounts } from './shares'
import { median } from './stats'
import { runWorker, workerArgument } from './workerProcess'

/** What the runner asks of one evaluation process. */
export interface EvalWorkerOptions {
  adapter: string
  users: number
  /** Warm-up evaluations per flag, at most; fewer when `warmupMs` runs out first. */
  warmup: number
  /** Time budget of a flag's warm-up. */
  warmupMs: number
  /** Time budget of a flag's timed pass; only SDKs slower than `maxPassMs / users` stop early. */
  maxPassMs: number
}

const ALLOCATION_SAMPLES = 7
const PASS_CHUNK = 10_000
const gc = globalThis.gc

runWorker(async (): Promise<EvaluationRun> => {
  if (!gc) throw new Error('run with node --expose-gc')
  const options = workerArgument<EvalWorkerOptions>()
  const adapter = await loadAdapter(options.adapter)
  const users = createPopulation(options.users)
  const contexts = users.map((user) => adapter.context(user))
  const targeted = Uint8Array.from(users, (user: BenchUser) => (user.targeted ? 1 : 0))
  gc()
  const baselineRssBytes = process.memoryUsage.rss()

  const evaluator = await adapter.start()
  const flags: FlagMeasurement[] = []
  for (const flag of FLAGS) {
    const warmupEvaluations = await warmUp(evaluator, flag, contexts, options)
    gc()
    const heapBefore = process.memoryUsage().heapUsed
    const pass = await timedPass(evaluator, flag, contexts, targeted, options.maxPassMs)
    gc()
    const retained = process.memoryUsage().heapUsed - heapBefore
    flags.push({
      flag,
      warmupEvaluations,
      evaluations: pass.evaluations,
      nsPerOp: pass.elapsedNs / pass.evaluations,
      allocatedBytesPerOp: await allocationPerOp(evaluator, flag, contexts),
      retainedBytesPerOp: retained / pass.evaluations,
      counts: pass.counts,
    })
  }
  await evaluator.close()
  return {
    adapter: options.adapter,
    name: adapter.name,
    packageName: adapter.packageName,
    version: installedVersion(adapter.packageName),
    mode: evaluator.mode,
    flags,
    baselineRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  }
})

/** Evaluates the first users until the count or the time budget is used up. */
async function warmUp(
  evaluator: Evaluator<unknown>,
  flag: FlagName,
  contexts: unknown[],
  { warmup, warmupMs }: EvalWorkerOptions,
): Promise<number> {
  const limit = Math.min(warmup, contexts.length)
  const deadline = performance.now() + warmupMs
  let done = 0
  while (done < limit && performance.now() < deadline) {
    const end = Math.min(done + 1000, limit)
    await evaluate(evaluator, flag, contexts, done, end)
    done = end
  }
  return done
}

async function evaluate(
  evaluator: Evaluator<unknown>,
  flag: FlagName,
  contexts: unknown[],
  from: number,
  to: number,
): Promise<void> {
  if (evaluator.mode === 'sync') {
    for (let i = from; i < to; i++) evaluator.isEnabled(flag, contexts[i])
  } else {
    for (let i = from; i < to; i++) await evaluator.isEnabled(flag, contexts[i])
  }
}

/**
 * One evaluation per user, in chunks of 10,000 users (so every chunk holds
 * as many targeted users as others), until every user is done or the pass
 * has used `maxPassMs`. Counts who got the flag, per group.
 */
async function timedPass(
  evaluator: Evaluator<unknown>,
  flag: FlagName,
  contexts: unknown[],
  targeted: Uint8Array,
  maxPassMs: number,
): Promise<{ evaluations: number; elapsedNs: number; counts: ShareCounts }> {
  const budgetNs = BigInt(maxPassMs) * 1_000_000n
  let enabledTargeted = 0
  let enabledOther = 0
  let done = 0
  let elapsed = 0n
  while (done < contexts.length && elapsed < budgetNs) {
    const end = Math.min(done + PASS_CHUNK, contexts.length)
    const start = process.hrtime.bigint()
    if (evaluator.mode === 'sync') {
      for (let i = done; i < end; i++) {
        if (evaluator.isEnabled(flag, contexts[i])) {
          if (targeted[i] === 1) enabledTargeted++
          else enabledOther++
        }
      }
    } else {
      for (let i = done; i < end; i++) {
        if (await evaluator.isEnabled(flag, contexts[i])) {
          if (targeted[i] === 1) enabledTargeted++
          else enabledOther++
        }
      }
    }
    elapsed += process.hrtime.bigint() - start
    done = end
  }
  let targetedTotal = 0
  for (let i = 0; i < done; i++) targetedTotal += targeted[i] as number
  return {
    evaluations: done,
    elapsedNs: Number(elapsed),
    counts: {
      targeted: { enabled: enabledTargeted, total: targetedTotal },
      other: { enabled: enabledOther, total: done - targetedTotal },
    },
  }
}

/**
 * Heap bytes one evaluation allocates: heap growth over a short batch that
 * starts right after a young-generation GC (a full one would take ~100 ms
 * with a million contexts in the heap) and is thrown away if any GC ran
 * inside it (then the batch halves), minus what measuring alone allocates.
 */
async function allocationPerOp(
  evaluator: Evaluator<unknown>,
  flag: FlagName,
  contexts: unknown[],
): Promise<number> {
  const gcEnds: number[] = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcEnds.push(entry.startTime + entry.duration)
  })
  observer.observe({ entryTypes: ['gc'] })
  const measure = async (batch: number, offset: number) => {
    gc?.({ type: 'minor' })
    const startedAt = performance.now()
    const before = process.memoryUsage().heapUsed
    await evaluate(evaluator, flag, contexts, offset, offset + batch)
    const after = process.memoryUsage().heapUsed
    const endedAt = performance.now()
    await nextTurn()
    const collected = gcEnds.some((end) => end > startedAt && end <= endedAt + 1)
    return collected ? undefined : after - before
  }
  try {
    const overheads: number[] = []
    for (let i = 0; i < ALLOCATION_SAMPLES; i++) {
      const bytes = await measure(0, 0)
      if (bytes !== undefined) overheads.push(bytes)
    }
    const overhead = overheads.length > 0 ? median(overheads) : 0
    const samples: number[] = []
    let batch = Math.min(2000, contexts.length)
    for (let attempt = 0; samples.length < ALLOCATION_SAMPLES && attempt < 50; attempt++) {
      const offset = (attempt * batch) % (contexts.length - batch + 1)
      const bytes = await measure(batch, offset)
      if (bytes === undefined) batch = Math.max(10, batch >> 1)
      else samples.push(Math.max(0, bytes - overhead) / batch)
    }
    return samples.length > 0 ? median(samples) : Number.NaN
  } finally {
    observer.disconnect()
  }
}
