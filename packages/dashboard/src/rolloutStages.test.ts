import { describe, expect, it } from 'vitest'
import type { RolloutState } from './api/types'
import { stageViews } from './rolloutStages'

const base: RolloutState = {
  id: 'r_1',
  flag: 'checkout',
  environment: 'production',
  status: 'running',
  stageIndex: 1,
  percent: 25,
  startedAt: '2030-01-01T00:00:00.000Z',
  stageStartedAt: '2030-01-01T00:10:00.000Z',
  stateVersion: 3,
  plan: {
    treatment: 'on',
    control: 'off',
    stages: [
      { percent: 5, minDurationSec: 600 },
      { percent: 25, minDurationSec: 600 },
      { percent: 100, minDurationSec: 0 },
    ],
    guard: { tolerance: 0.1, alpha: 0.01, minEvidence: 30 },
    onFailure: 'revert',
  },
  decisions: [
    { at: '2030-01-01T00:00:00.000Z', action: 'start', reason: 'started', stageIndex: 0 },
    {
      at: '2030-01-01T00:10:00.000Z',
      action: 'promote',
      reason: 'enough evidence',
      stageIndex: 1,
      evidence: { stageIndex: 0 },
    },
  ],
}

describe('stageViews', () => {
  it('should give each stage its window, and a promotion to the stage it ended', () => {
    const [first, second, third] = stageViews(base)
    expect(first).toMatchObject({
      status: 'done',
      startedAt: Date.parse('2030-01-01T00:00:00.000Z'),
      endedAt: Date.parse('2030-01-01T00:10:00.000Z'),
    })
    expect(first?.decisions.map((d) => d.action)).toEqual(['start', 'promote'])
    expect(first?.evidence).toEqual({ stageIndex: 0 })
    expect(second).toMatchObject({
      status: 'current',
      startedAt: Date.parse('2030-01-01T00:10:00.000Z'),
      endedAt: undefined,
    })
    expect(third).toMatchObject({ status: 'pending', startedAt: undefined })
  })

  it('should mark the stage a revert ended as failed and the rest as skipped', () => {
    const reverted: RolloutState = {
      ...base,
      status: 'reverted',
      percent: 0,
      endedAt: '2030-01-01T00:12:00.000Z',
      decisions: [
        ...base.decisions,
        {
          at: '2030-01-01T00:12:00.000Z',
          action: 'revert',
          reason: 'worse',
          stageIndex: 1,
          evidence: { stageIndex: 1 },
        },
      ],
    }
    const views = stageViews(reverted)
    expect(views.map((v) => v.status)).toEqual(['done', 'failed', 'skipped'])
    expect(views[1]?.endedAt).toBe(Date.parse('2030-01-01T00:12:00.000Z'))
    expect(views[1]?.decisions.map((d) => d.action)).toEqual(['revert'])
  })
})
