import { performance } from 'node:perf_hooks'
import { loadAdapter } from './loadAdapter'
import { installedVersion } from './packageRoot'
import { createPopulation } from './population'
import type { ColdStartRun } from './results'
import { runWorker, workerArgument } from './workerProcess'

/** What the runner asks of one cold-start process. */
export interface ColdStartWorkerOptions {
  adapter: string
}

runWorker(async (): Promise<ColdStartRun> => {
  const { adapter: id } = workerArgument<ColdStartWorkerOptions>()
  const [user] = createPopulation(10)
  if (!user) throw new Error('empty population')

  const t0 = performance.now()
  const adapter = await loadAdapter(id)
  const t1 = performance.now()
  const evaluator = await adapter.start()
  const t2 = performance.now()
  const context = adapter.context(user)
  if (evaluator.mode === 'sync') evaluator.isEnabled('country-canary', context)
  else await evaluator.isEnabled('country-canary', context)
  const t3 = performance.now()

  await evaluator.close()
  return {
    adapter: id,
    name: adapter.name,
    packageName: adapter.packageName,
    version: installedVersion(adapter.packageName),
    importMs: t1 - t0,
    startMs: t2 - t1,
    firstEvaluationMs: t3 - t2,
  }
})
