import { describe, expect, it } from 'vitest'
import { SampleRatioTest, SampleRatioTestStateSchema } from './sampleRatioTest'
import { poisson, seededRandom } from './testUtils/seededRandom'

/**
 * Batches of clumped exposures: each of `users` users (in treatment with
 * probability `share`) brings 1–10 exposures, and the traffic swings ×0.1–×3
 * from batch to batch.
 */
function clumpedBatch(random: () => number, share: number, users: number) {
  let treatmentExposures = 0
  let controlExposures = 0
  const active = Math.round(users * (0.1 + 2.9 * random()))
  for (let u = 0; u < active; u++) {
    const exposures = 1 + Math.floor(random() * 10)
    if (random() < share) treatmentExposures += exposures
    else controlExposures += exposures
  }
  return { treatmentExposures, controlExposures }
}

describe('SampleRatioTest', () => {
  it('should pause on a 2:1 skew within a few thousand exposures', () => {
    const random = seededRandom(3)
    let srm = SampleRatioTest.create()
    let batches = 0
    while (!SampleRatioTest.result(srm).alarm && batches < 1000) {
      const n = 250
      const treatmentExposures = poisson(random, n * 0.1)
      srm = SampleRatioTest.update(srm, {
        treatmentExposures,
        controlExposures: n - treatmentExposures,
        expectedShare: 0.05,
      })
      batches++
    }
    const result = SampleRatioTest.result(srm)
    expect(result.alarm).toBe(true)
    expect(result.direction).toBe('treatment-high')
    expect(batches).toBeLessThan(100)
    expect(result.observedShare).toBeCloseTo(0.1, 1)
    expect(result.expectedShare).toBeCloseTo(0.05, 10)
  })

  it('should pause when treatment reports half its share', () => {
    let srm = SampleRatioTest.create()
    for (let i = 0; i < 200; i++) {
      srm = SampleRatioTest.update(srm, {
        treatmentExposures: 25,
        controlExposures: 975,
        expectedShare: 0.05,
      })
    }
    expect(SampleRatioTest.result(srm)).toMatchObject({ alarm: true, direction: 'treatment-low' })
  })

  it('should not fire on healthy traffic swings and clumped exposures, nor on drift inside the band', () => {
    const random = seededRandom(11)
    let alarms = 0
    for (let run = 0; run < 200; run++) {
      let srm = SampleRatioTest.create()
      for (let b = 0; b < 400; b++) {
        const stage = [0.01, 0.05, 0.25, 0.5][Math.floor(b / 100)] ?? 0.5
        // Realized shares drift up to 30 % from the configured one (which users happen to be active).
        const drift = 1 + 0.3 * Math.sin(run + b / 40)
        srm = SampleRatioTest.update(srm, {
          ...clumpedBatch(random, stage * drift, 40),
          expectedShare: stage,
        })
      }
      if (SampleRatioTest.result(srm).alarm) alarms++
    }
    expect(alarms).toBe(0)
  })

  it('should skip batches with nothing to compare', () => {
    const srm = SampleRatioTest.create()
    expect(
      SampleRatioTest.update(srm, {
        treatmentExposures: 0,
        controlExposures: 0,
        expectedShare: 0.05,
      }),
    ).toBe(srm)
    expect(
      SampleRatioTest.update(srm, {
        treatmentExposures: 10,
        controlExposures: 0,
        expectedShare: 1,
      }),
    ).toBe(srm)
    expect(
      SampleRatioTest.update(srm, {
        treatmentExposures: 0,
        controlExposures: 10,
        expectedShare: 0,
      }),
    ).toBe(srm)
    expect(SampleRatioTest.result(srm)).toMatchObject({
      alarm: false,
      observedShare: 0,
      direction: 'balanced',
    })
  })

  it('should reject invalid input, changing nothing', () => {
    const srm = SampleRatioTest.create()
    const snapshot = JSON.stringify(srm)
    expect(() =>
      SampleRatioTest.update(srm, { treatmentExposures: 1, controlExposures: 1, expectedShare: 2 }),
    ).toThrow(/expectedShare/)
    expect(() =>
      SampleRatioTest.update(srm, {
        treatmentExposures: Number.NaN,
        controlExposures: 1,
        expectedShare: 0.5,
      }),
    ).toThrow(/treatmentExposures/)
    expect(JSON.stringify(srm)).toBe(snapshot)
    expect(() => SampleRatioTest.create({ alpha: 1 })).toThrow(/alpha/)
    expect(() => SampleRatioTest.create({ clusterSize: 0 })).toThrow(/clusterSize/)
  })

  it('should survive a JSON round trip', () => {
    const srm = SampleRatioTest.update(SampleRatioTest.create({ band: 0.3 }), {
      treatmentExposures: 30,
      controlExposures: 970,
      expectedShare: 0.05,
    })
    expect(SampleRatioTestStateSchema.parse(JSON.parse(JSON.stringify(srm)))).toEqual(srm)
  })
})
