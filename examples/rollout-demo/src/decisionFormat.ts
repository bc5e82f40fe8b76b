import type { RolloutDecision } from './adminApi'

/**
 * A decision as the console shows it: the action and the controller's
 * reason, then the numbers it rested on (counts per arm, the sequential
 * test's statistic against its threshold, the evidence against what
 * promotion needs). Evidence fields that are missing are left out.
 */
export function formatDecision(decision: RolloutDecision): string[] {
  const lines = [`${decision.action.toUpperCase()}: ${decision.reason}`]
  const evidence = decision.evidence
  if (evidence === undefined) return lines
  const parts: string[] = []
  const arm = (name: string) => {
    const exposures = numberAt(evidence, name, 'exposures')
    const bad = numberAt(evidence, name, 'badEvents')
    const rate = numberAt(evidence, name, 'badRate')
    if (exposures === undefined || bad === undefined) return
    parts.push(
      `${name} ${exposures} served, ${bad} bad${rate === undefined ? '' : ` (${percent(rate)})`}`,
    )
  }
  arm('treatment')
  arm('control')
  const m = numberAt(evidence, 'errorTest', 'statistic')
  const peak = numberAt(evidence, 'errorTest', 'peakStatistic')
  const threshold = numberAt(evidence, 'errorTest', 'threshold')
  if (m !== undefined && threshold !== undefined) {
    const peakText = peak !== undefined && peak > m ? ` (peak ${short(peak)})` : ''
    parts.push(`M = ${short(m)}${peakText}, revert at ${short(threshold)}`)
  }
  const expected = numberAt(evidence, 'expectedBadEvents')
  const needed = numberAt(evidence, 'minEvidence')
  if (expected !== undefined && needed !== undefined) {
    parts.push(`evidence ${short(expected)} of ${short(needed)} expected bad events`)
  }
  const observed = numberAt(evidence, 'sampleRatio', 'observedShare')
  const configured = numberAt(evidence, 'sampleRatio', 'configuredShare')
  // The sample-ratio check reports a configured share of 0 until it has looked.
  if (observed !== undefined && configured !== undefined && configured > 0) {
    parts.push(`treatment share ${percent(observed)} of ${percent(configured)}`)
  }
  if (parts.length > 0) lines.push(`evidence: ${parts.join(' · ')}`)
  return lines
}

function numberAt(value: unknown, ...path: string[]): number | undefined {
  let at: unknown = value
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<string, unknown>)[key]
  }
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined
}

function percent(share: number): string {
  return `${short(share * 100)} %`
}

function short(x: number): string {
  return String(Number(x.toPrecision(3)))
}
