import { describe, expect, it } from 'vitest'
import { renderReport } from './report'
import type { EvaluationSummary, SuiteResult } from './results'

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
    options: { rounds: 3, users: 1000, warmup: 10, warmupMs: 10, maxPassMs: 10, coldRuns: 1 },
    evaluation: { summary: evaluation, runs: [] },
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
})
