import { describe, expect, it } from 'vitest'
import { deliveryMetrics, type RolloutHistory } from './deliveryMetrics'

const at = (minute: number, second = 0) =>
  new Date(Date.UTC(2030, 0, 1, 0, minute, second)).toISOString()
const window = { since: at(0), until: at(59) }

const completed = (start: number, end: number): RolloutHistory => ({
  status: 'completed',
  startedAt: at(start),
  endedAt: at(end),
  decisions: [
    { at: at(start), action: 'start' },
    { at: at(start + 1), action: 'promote' },
    { at: at(end), action: 'complete' },
  ],
})

describe('deliveryMetrics', () => {
  it('should count rollouts and compute the failure rate and medians', () => {
    const revertedFast: RolloutHistory = {
      status: 'reverted',
      startedAt: at(10),
      endedAt: at(10, 12),
      decisions: [
        { at: at(10), action: 'start' },
        { at: at(10, 12), action: 'revert' },
      ],
    }
    // Healthy at 1 %, then paused 30 s into the 5 % stage, reverted 90 s into it.
    const revertedLater: RolloutHistory = {
      status: 'reverted',
      startedAt: at(20),
      endedAt: at(25, 30),
      decisions: [
        { at: at(20), action: 'start' },
        { at: at(24), action: 'promote' },
        { at: at(24, 30), action: 'pause' },
        { at: at(25), action: 'resume' },
        { at: at(25, 30), action: 'kill' },
      ],
    }
    const metrics = deliveryMetrics(
      'production',
      [
        completed(1, 5),
        completed(2, 12),
        revertedFast,
        revertedLater,
        { status: 'aborted', startedAt: at(30), endedAt: at(31), decisions: [] },
        { status: 'running', startedAt: at(40), decisions: [{ at: at(40), action: 'start' }] },
        // Outside the window: counted as active only if still active.
        completed(60, 70),
      ],
      window,
    )
    expect(metrics).toEqual({
      environment: 'production',
      window,
      rollouts: { started: 6, completed: 2, reverted: 2, aborted: 1, active: 1 },
      changeFailureRate: 0.5,
      timeToDetect: { medianSeconds: (12 + 30) / 2, count: 2 },
      timeToRevert: { medianSeconds: (12 + 90) / 2, count: 2 },
      timeToFullRollout: { medianSeconds: (240 + 600) / 2, count: 2 },
    })
  })

  it('should give null rates and medians when nothing finished', () => {
    const metrics = deliveryMetrics('staging', [], window)
    expect(metrics.changeFailureRate).toBeNull()
    expect(metrics.timeToDetect).toEqual({ medianSeconds: null, count: 0 })
    expect(metrics.rollouts).toEqual({
      started: 0,
      completed: 0,
      reverted: 0,
      aborted: 0,
      active: 0,
    })
  })

  it('should take the middle value of an odd count', () => {
    const metrics = deliveryMetrics(
      'production',
      [completed(1, 2), completed(1, 4), completed(1, 30)],
      window,
    )
    expect(metrics.timeToFullRollout).toEqual({ medianSeconds: 180, count: 3 })
    expect(metrics.changeFailureRate).toBe(0)
  })
})
