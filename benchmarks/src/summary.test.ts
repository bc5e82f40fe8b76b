import { describe, expect, it } from 'vitest'
import type { PushRun } from './results'
import { summarizePush } from './summary'

function run(rig: PushRun['rig'], allMs: number[]): PushRun {
  return {
    rig,
    sdk: rig === 'launchdarkly' ? 'launchdarkly' : 'floodgate',
    name: rig,
    packageName: `${rig}-sdk`,
    version: '1.0.0',
    serverSide: 'local',
    clients: 1,
    changes: allMs.length,
    allMs,
    eachMs: allMs,
  }
}

describe('summarizePush', () => {
  it('should pool the changes of every round per setup, in first-seen order', () => {
    const pooled = summarizePush([
      run('launchdarkly', [3]),
      run('floodgate', [1, 2]),
      run('floodgate', [4]),
      run('launchdarkly', [5, 6]),
    ])
    expect(pooled.map((r) => r.rig)).toEqual(['launchdarkly', 'floodgate'])
    expect(pooled[1]).toMatchObject({ changes: 3, allMs: [1, 2, 4], eachMs: [1, 2, 4] })
    expect(pooled[0]).toMatchObject({ changes: 3, allMs: [3, 5, 6] })
  })
})
