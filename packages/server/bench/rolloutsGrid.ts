import {
  DEFAULT_RATIOS,
  SequentialTest,
  type SequentialTestOptions,
} from '../src/rollouts/sequentialTest'
import { Random } from './rolloutsRandom'

/**
 * The grid and weights in a clean model, where only they matter: independent
 * calls, 1 % errors in control, a fixed canary share, batches of 250 calls.
 * Canary requests until the alarm, for the shipped weights against the
 * issue's uniform grid, the same mixture without tolerance, and an "oracle"
 * that bets everything on the true ratio (no real guard knows it).
 */
export interface GridRow {
  name: string
  /** Median canary requests to the alarm per regression. */
  medians: Record<string, number>
}

const REGRESSIONS = [
  { name: '1.5x at 5 %', share: 0.05, ratio: 1.5, batch: 250 },
  { name: '2x at 5 %', share: 0.05, ratio: 2, batch: 250 },
  { name: '5x at 5 %', share: 0.05, ratio: 5, batch: 250 },
  { name: '50 % errors at 1 %', share: 0.01, ratio: 50, batch: 100 },
] as const
const BASELINE = 0.01
const ALPHA = 0.01
const TOLERANCE = 0.1

export function gridComparison(runs: number): GridRow[] {
  const configs: { name: string; options: (ratio: number) => SequentialTestOptions }[] = [
    { name: 'shipped weights', options: () => ({ tolerance: TOLERANCE }) },
    {
      name: 'uniform weights (the issue)',
      options: () => ({ tolerance: TOLERANCE, weights: DEFAULT_RATIOS.map(() => 1) }),
    },
    { name: 'shipped weights, no tolerance', options: () => ({ tolerance: 0 }) },
    {
      name: 'oracle: one alternative, the true ratio',
      options: (ratio) => ({ tolerance: TOLERANCE, ratios: [ratio / (1 + TOLERANCE)] }),
    },
  ]
  return configs.map(({ name, options }) => ({
    name,
    medians: Object.fromEntries(
      REGRESSIONS.map((r) => {
        const random = new Random(97, Math.round(r.ratio * 100))
        const stops: number[] = []
        for (let run = 0; run < runs; run++) {
          let state = SequentialTest.create(options(r.ratio))
          let canary = 0
          while (!SequentialTest.result(state, ALPHA).alarm && canary < 1e6) {
            const nT = random.poisson(r.batch * r.share)
            const nC = random.poisson(r.batch * (1 - r.share))
            canary += nT
            state = SequentialTest.update(state, {
              treatmentExposures: nT,
              controlExposures: nC,
              treatmentBad: random.poisson(nT * Math.min(1, BASELINE * r.ratio)),
              controlBad: random.poisson(nC * BASELINE),
            })
          }
          stops.push(canary)
        }
        stops.sort((a, b) => a - b)
        return [r.name, stops[Math.floor(runs / 2)] ?? Number.NaN]
      }),
    ),
  }))
}
