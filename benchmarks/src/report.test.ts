import { describe, expect, it } from 'vitest'
import { renderReport } from './report'
import type { EvaluationSummary, PushRun, SuiteResult } from './results'

function summary(adapter: string, name: string, ns: number): EvaluationSummary {
  const flag = {
    nsPerOp: ns,
    nsPerOpRuns: [ns],
    allocatedBytesPerOp: 0,
    retainedBytesPerOp: 0,
    enabledShare: 0.5,
    evaluations: 1000,
  }
  return {
    adapter,
    name,
    packageName: `${adapter}-sdk`,
    version: '1.0.0',
    mode: 'sync',
    flags: { 'on-off': flag, 'canary-10': flag, 'country-canary': { ...flag, nsPerOp: ns * 2 } },
    peakRssBytes: 2 ** 27,
    baselineRssBytes: 2 ** 26,
  }
}

function suite(evaluation: EvaluationSummary[]): SuiteResult {
  return {
    startedAt: '2026-01-02T03:04:05.000Z',
    durationSeconds: 1,
    machine: { cpu: 'cpu', cores: 2, memoryGiB: 24, os: 'Linux', node: 'v20.20.0' },
    options: {
      rounds: 3,
      users: 1000,
      warmup: 10,
      warmupMs: 10,
      maxPassMs: 10,
      coldRuns: 1,
      pushClients: 2,
      pushChanges: 3,
    },
    evaluation: { summary: evaluation, runs: [] },
  }
}

function push(rig: PushRun['rig'], name: string, allMs: number[]): PushRun {
  const sdk = rig === 'launchdarkly' ? 'launchdarkly' : 'floodgate'
  return {
    rig,
    sdk,
    name,
    packageName: `${sdk}-sdk`,
    version: '2.0.0',
    serverSide: 'local',
    clients: 2,
    changes: allMs.length,
    allMs,
    eachMs: allMs.flatMap((t) => [t / 2, t]),
  }
}

describe('renderReport', () => {
  it('should give each peer its ratio to Floodgate and judge the 3× goal per flag', () => {
    const report = renderReport(
      suite([summary('floodgate', 'Floodgate', 100), summary('acme', 'Acme', 250)]),
    )
    expect(report).toContain('| Acme | acme-sdk 1.0.0 | sync | 1,000 | **250** (2.5×) |')
    expect(report).toMatch(/Acme 250 ns \| 100 ns \| 2\.5× \| \*\*missed\*\*/)
  })

  it('should list Floodgate before the peers', () => {
    const report = renderReport(
      suite([summary('acme', 'Acme', 250), summary('floodgate', 'Floodgate', 100)]),
    )
    expect(report.indexOf('| Floodgate |')).toBeLessThan(report.indexOf('| Acme |'))
  })

  it('should mark the goal met at 3× and leave ratios out without Floodgate', () => {
    expect(
      renderReport(suite([summary('floodgate', 'Floodgate', 100), summary('acme', 'Acme', 300)])),
    ).toMatch(/3\.0× \| met/)
    const peersOnly = renderReport(suite([summary('acme', 'Acme', 300)]))
    expect(peersOnly).not.toContain('×)')
    expect(peersOnly).not.toContain('### Goals')
  })

  it('should tabulate push latency with Floodgate as the reference and judge the propagation goal', () => {
    const result = {
      ...suite([]),
      push: [
        push('launchdarkly', 'LaunchDarkly', [4, 6, 5]),
        push('floodgate-server', 'Floodgate, real server', [1, 1.5, 1.2]),
        push('floodgate', 'Floodgate', [2, 3, 2.5]),
      ],
    }
    const report = renderReport(result)
    expect(report).toContain(
      '| Floodgate | floodgate-sdk 2.0.0 | local | 2 | 2.50 (1.0×) | 3.00 | 1.75 |',
    )
    expect(report).toContain(
      '| LaunchDarkly | launchdarkly-sdk 2.0.0 | local | 2 | 5.00 (2.0×) | 6.00 | 3.50 |',
    )
    expect(report).toContain(
      '| Floodgate, real server | floodgate-sdk 2.0.0 | local | 2 | 1.20 (0.5×) |',
    )
    expect(report.indexOf('| Floodgate |')).toBeLessThan(report.indexOf('| Floodgate, real'))
    // The real-server row is Floodgate's own, not a peer the goal is judged against.
    expect(report).toMatch(/LaunchDarkly 5\.00 ms \| 2\.50 ms \| 2\.00× \| met/)
    const slower = renderReport({
      ...result,
      push: [push('launchdarkly', 'LaunchDarkly', [1]), push('floodgate', 'Floodgate', [2])],
    })
    expect(slower).toMatch(/fastest propagation.*\*\*missed\*\*/)
  })
})
