import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RATIOS,
  logMixture,
  SequentialTest,
  type SequentialTestBatch,
  SequentialTestStateSchema,
} from './sequentialTest'
import { poisson, seededRandom } from './testUtils/seededRandom'

const ALPHA = 0.01
const STAGE_SHARES = [0.01, 0.05, 0.25, 0.5]

/**
 * One simulated rollout under a fixed rate ratio: 320 batches over four
 * stages, traffic swinging ×0.2–×3, shared incidents raising both arms' rates
 * tenfold. Returns whether the test ever alarmed.
 */
function alarms(random: () => number, ratio: number, tolerance = 0.1): boolean {
  let state = SequentialTest.create({ tolerance })
  for (let b = 0; b < 320; b++) {
    const share = STAGE_SHARES[Math.floor(b / 80)] ?? 0.5
    const n = Math.round(200 + 1800 * random())
    const nT = Math.round(n * share)
    const nC = n - nT
    const rate = random() < 0.03 ? 0.1 : 0.01
    state = SequentialTest.update(state, {
      treatmentExposures: nT,
      controlExposures: nC,
      treatmentBad: poisson(random, nT * rate * ratio),
      controlBad: poisson(random, nC * rate),
    })
    if (SequentialTest.result(state, ALPHA).alarm) return true
  }
  return false
}

function feed(batches: SequentialTestBatch[], tolerance = 0.1) {
  return batches.reduce(
    (state, batch) => SequentialTest.update(state, batch),
    SequentialTest.create({ tolerance }),
  )
}

describe('SequentialTest', () => {
  it('should keep false alarms under alpha over 2,000 continuously monitored healthy rollouts', () => {
    const random = seededRandom(20_240_601)
    let equal = 0
    let atTolerance = 0
    for (let i = 0; i < 2000; i++) {
      if (alarms(random, 1)) equal++
      if (alarms(random, 1.1)) atTolerance++
    }
    // Ville's bound: at most α = 1 % (20 of 2,000) even at the edge of the tolerance;
    // 34 leaves three binomial standard deviations for the simulation's own noise.
    expect(atTolerance).toBeLessThanOrEqual(34)
    expect(equal).toBeLessThanOrEqual(atTolerance)
    expect(equal).toBeLessThanOrEqual(5)
  })

  it('should alarm on an obvious regression within a few batches', () => {
    const random = seededRandom(7)
    let detected = 0
    for (let i = 0; i < 200; i++) {
      let state = SequentialTest.create()
      for (let b = 0; b < 40; b++) {
        state = SequentialTest.update(state, {
          treatmentExposures: 500,
          controlExposures: 9500,
          treatmentBad: poisson(random, 500 * 0.03),
          controlBad: poisson(random, 9500 * 0.01),
        })
      }
      if (SequentialTest.result(state, ALPHA).alarm) detected++
    }
    expect(detected).toBe(200)
  })

  it('should reach the alarm at the documented example', () => {
    const state = feed([
      { treatmentExposures: 480, controlExposures: 9520, treatmentBad: 31, controlBad: 95 },
    ])
    const result = SequentialTest.result(state, ALPHA)
    expect(result.alarm).toBe(true)
    expect(result.threshold).toBe(100)
    expect(state.expectedTreatmentBad).toBeCloseTo((126 * 480) / 10_000, 10)
  })

  it('should survive a JSON round trip and continue exactly where it stopped', () => {
    const batches: SequentialTestBatch[] = [
      { treatmentExposures: 40, controlExposures: 3960, treatmentBad: 1, controlBad: 37 },
      { treatmentExposures: 210, controlExposures: 3790, treatmentBad: 3, controlBad: 41 },
      { treatmentExposures: 990, controlExposures: 3010, treatmentBad: 12, controlBad: 30 },
    ]
    const first = feed(batches.slice(0, 2))
    const restored = SequentialTestStateSchema.parse(JSON.parse(JSON.stringify(first)))
    expect(restored).toEqual(first)
    const last = batches[2] as SequentialTestBatch
    expect(SequentialTest.update(restored, last)).toEqual(feed(batches))
  })

  it('should carry evidence across a stage change, each batch judged at its own share', () => {
    // Treatment fails at twice control's rate, at 1 % and then at 5 %.
    const stage1 = Array.from({ length: 4 }, () => ({
      treatmentExposures: 100,
      controlExposures: 9900,
      treatmentBad: 3,
      controlBad: 148,
    }))
    const stage2 = Array.from({ length: 2 }, () => ({
      treatmentExposures: 500,
      controlExposures: 9500,
      treatmentBad: 14,
      controlBad: 133,
    }))
    const alone1 = feed(stage1)
    const alone2 = feed(stage2)
    const both = feed([...stage1, ...stage2])
    expect(SequentialTest.result(alone1, ALPHA).alarm).toBe(false)
    expect(SequentialTest.result(alone2, ALPHA).alarm).toBe(false)
    expect(SequentialTest.result(both, ALPHA).alarm).toBe(true)
    // Likelihood ratios multiply: the log ratios of the two stages add up.
    both.logLikelihoodRatios.forEach((llr, i) => {
      expect(llr).toBeCloseTo(
        (alone1.logLikelihoodRatios[i] ?? 0) + (alone2.logLikelihoodRatios[i] ?? 0),
        9,
      )
    })
  })

  it('should ignore batches that say nothing about the split', () => {
    const state = SequentialTest.create()
    for (const batch of [
      { treatmentExposures: 0, controlExposures: 1000, treatmentBad: 0, controlBad: 10 },
      { treatmentExposures: 1000, controlExposures: 0, treatmentBad: 10, controlBad: 0 },
      { treatmentExposures: 100, controlExposures: 1000, treatmentBad: 0, controlBad: 0 },
      { treatmentExposures: 0, controlExposures: 0, treatmentBad: 3, controlBad: 4 },
    ]) {
      expect(SequentialTest.update(state, batch)).toBe(state)
    }
  })

  it('should stay finite and alarm on huge counts', () => {
    const state = feed([
      {
        treatmentExposures: 1e12,
        controlExposures: 1e14,
        treatmentBad: 5e10,
        controlBad: 1e12,
      },
    ])
    expect(state.logLikelihoodRatios.every(Number.isFinite)).toBe(true)
    const result = SequentialTest.result(state, ALPHA)
    expect(result.alarm).toBe(true)
    expect(Number.isFinite(result.statistic)).toBe(true)
    expect(SequentialTestStateSchema.safeParse(JSON.parse(JSON.stringify(state))).success).toBe(
      true,
    )
  })

  it('should keep the alarm once raised, even when the evidence fades', () => {
    let state = feed([
      { treatmentExposures: 500, controlExposures: 9500, treatmentBad: 40, controlBad: 95 },
    ])
    expect(SequentialTest.result(state, ALPHA).alarm).toBe(true)
    for (let i = 0; i < 50; i++) {
      state = SequentialTest.update(state, {
        treatmentExposures: 500,
        controlExposures: 9500,
        treatmentBad: 0,
        controlBad: 100,
      })
    }
    const result = SequentialTest.result(state, ALPHA)
    expect(result.statistic).toBeLessThan(1)
    expect(result.alarm).toBe(true)
    expect(result.peakStatistic).toBeGreaterThanOrEqual(100)
  })

  it('should take each batch to the power 1/clusterSize', () => {
    const batch = {
      treatmentExposures: 300,
      controlExposures: 2700,
      treatmentBad: 9,
      controlBad: 25,
    }
    const plain = SequentialTest.update(SequentialTest.create(), batch)
    const clustered = SequentialTest.update(SequentialTest.create({ clusterSize: 4 }), batch)
    clustered.logLikelihoodRatios.forEach((llr, i) => {
      expect(llr).toBeCloseTo((plain.logLikelihoodRatios[i] ?? 0) / 4, 12)
    })
  })

  it('should reject counts that are not finite and non-negative, changing nothing', () => {
    const state = SequentialTest.create()
    const snapshot = JSON.stringify(state)
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() =>
        SequentialTest.update(state, {
          treatmentExposures: 10,
          controlExposures: 10,
          treatmentBad: bad,
          controlBad: 0,
        }),
      ).toThrow(RangeError)
    }
    expect(JSON.stringify(state)).toBe(snapshot)
  })

  it('should reject invalid options and alpha', () => {
    expect(() => SequentialTest.create({ tolerance: -0.1 })).toThrow(/tolerance/)
    expect(() => SequentialTest.create({ ratios: [1, 2] })).toThrow(/ratio/)
    expect(() => SequentialTest.create({ ratios: [2, 3], weights: [1] })).toThrow(/weights/)
    expect(() => SequentialTest.create({ clusterSize: 0.5 })).toThrow(/clusterSize/)
    expect(() => SequentialTest.result(SequentialTest.create(), 0)).toThrow(/alpha/)
  })

  it('should normalize weights and default to the documented grid', () => {
    const state = SequentialTest.create()
    expect(state.ratios).toEqual([...DEFAULT_RATIOS])
    expect(state.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12)
    const even = SequentialTest.create({ ratios: [2, 4] })
    expect(even.weights).toEqual([0.5, 0.5])
  })

  it('should stay finite and valid for any sequence of batches', () => {
    const count = fc.oneof(fc.nat(1000), fc.double({ min: 0, max: 1e12, noNaN: true }))
    const batch = fc.record({
      treatmentExposures: count,
      controlExposures: count,
      treatmentBad: count,
      controlBad: count,
    })
    fc.assert(
      fc.property(
        fc.array(batch, { maxLength: 30 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (bs, tol) => {
          const state = feed(bs, tol)
          expect(SequentialTestStateSchema.safeParse(state).success).toBe(true)
          const result = SequentialTest.result(state, ALPHA)
          expect(Number.isFinite(result.logStatistic)).toBe(true)
          expect(state.peakLogStatistic).toBeGreaterThanOrEqual(0)
        },
      ),
    )
  })

  it('should never count bad events in control against treatment', () => {
    const n = fc.integer({ min: 1, max: 100_000 })
    fc.assert(
      fc.property(n, n, fc.integer({ min: 1, max: 1000 }), (nT, nC, bad) => {
        const state = feed([
          { treatmentExposures: nT, controlExposures: nC, treatmentBad: 0, controlBad: bad },
        ])
        for (const llr of state.logLikelihoodRatios) expect(llr).toBeLessThan(0)
      }),
    )
  })

  it('should raise every likelihood ratio with each extra bad event in treatment', () => {
    const n = fc.integer({ min: 1, max: 100_000 })
    const k = fc.integer({ min: 0, max: 500 })
    fc.assert(
      fc.property(n, n, k, k, (nT, nC, eT, eC) => {
        const fewer = feed([
          { treatmentExposures: nT, controlExposures: nC, treatmentBad: eT, controlBad: eC + 1 },
        ])
        const more = feed([
          { treatmentExposures: nT, controlExposures: nC, treatmentBad: eT + 1, controlBad: eC },
        ])
        more.logLikelihoodRatios.forEach((llr, i) => {
          expect(llr).toBeGreaterThan(fewer.logLikelihoodRatios[i] ?? 0)
        })
      }),
    )
  })
})

describe('logMixture', () => {
  it('should equal the plain weighted sum where that does not overflow', () => {
    expect(logMixture([0.25, 0.75], [Math.log(2), Math.log(4)])).toBeCloseTo(Math.log(3.5), 12)
  })

  it('should not overflow where the plain sum would', () => {
    expect(logMixture([0.5, 0.5], [1000, 1000])).toBeCloseTo(1000, 9)
    expect(logMixture([0.5, 0.5], [-1000, -1e6])).toBeCloseTo(-1000 - Math.log(2), 9)
  })
})
