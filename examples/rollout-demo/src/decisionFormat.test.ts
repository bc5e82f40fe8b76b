import { describe, expect, it } from 'vitest'
import { formatDecision } from './decisionFormat'

describe('formatDecision', () => {
  it('should show the reason, the counts per arm, the statistic against its threshold and the evidence', () => {
    const lines = formatDecision({
      at: '2026-01-01T00:00:00.000Z',
      action: 'revert',
      reason: "treatment's error rate is above control's",
      evidence: {
        stageIndex: 0,
        percent: 25,
        treatment: {
          exposures: 412,
          errors: 170,
          errorUnits: 160,
          badEvents: 160,
          badRate: 0.3883,
        },
        control: { exposures: 1230, errors: 40, errorUnits: 38, badEvents: 38, badRate: 0.0309 },
        expectedBadEvents: 12.73,
        minEvidence: 5,
        errorTest: { statistic: 81234.5, peakStatistic: 81234.5, threshold: 100 },
        sampleRatio: { configuredShare: 0.25, observedShare: 0.2509 },
      },
    })
    expect(lines).toEqual([
      "REVERT: treatment's error rate is above control's",
      'evidence: treatment 412 served, 160 bad (38.8 %) · control 1230 served, 38 bad (3.09 %) · ' +
        'M = 81200, revert at 100 · evidence 12.7 of 5 expected bad events · treatment share 25.1 % of 25 %',
    ])
  })

  it('should show a peak above the current statistic, and leave out what the evidence lacks', () => {
    expect(
      formatDecision({
        at: '2026-01-01T00:00:00.000Z',
        action: 'promote',
        reason: 'on to 50 %',
        evidence: { errorTest: { statistic: 0.5, peakStatistic: 2, threshold: 100 } },
      }),
    ).toEqual(['PROMOTE: on to 50 %', 'evidence: M = 0.5 (peak 2), revert at 100'])
    expect(
      formatDecision({ at: '2026-01-01T00:00:00.000Z', action: 'start', reason: 'by admin' }),
    ).toEqual(['START: by admin'])
  })
})
