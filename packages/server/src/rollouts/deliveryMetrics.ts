import type { RolloutDecision, RolloutStatus } from '@floodgate/core'
import type { Store } from '../store/store'

/** What delivery metrics read of a stored rollout. */
export interface RolloutHistory {
  status: RolloutStatus
  startedAt: string
  endedAt?: string
  /** Oldest first. */
  decisions: Pick<RolloutDecision, 'at' | 'action'>[]
}

/** A median over some rollouts, in seconds; `null` when there were none. */
export interface DurationSummary {
  medianSeconds: number | null
  /** How many rollouts it is over. */
  count: number
}

/**
 * Delivery metrics of one environment over a window, in the spirit of DORA's
 * change failure rate and time to restore. See docs/webhooks.md for the
 * definitions.
 */
export interface DeliveryMetrics {
  environment: string
  /** ISO bounds, both included: what started or ended between them counts. */
  window: { since: string; until: string }
  rollouts: {
    /** Started in the window. */
    started: number
    /** Reached 100 % in the window. */
    completed: number
    /** Reverted (or killed) by their failure action in the window. */
    reverted: number
    /** Stopped by hand in the window. */
    aborted: number
    /** Running or paused now. */
    active: number
  }
  /** reverted / (completed + reverted); `null` before any rollout finished either way. */
  changeFailureRate: number | null
  /** Reverted rollouts: from the start of the stage that failed to the first pause, revert or kill in it. */
  timeToDetect: DurationSummary
  /** Reverted rollouts: from the start of the stage that failed to the revert. */
  timeToRevert: DurationSummary
  /** Completed rollouts: from the start to 100 %. */
  timeToFullRollout: DurationSummary
}

const STAGE_STARTS = new Set<RolloutDecision['action']>(['start', 'promote'])
const ALARMS = new Set<RolloutDecision['action']>(['pause', 'revert', 'kill'])
const ENDS = new Set<RolloutDecision['action']>(['revert', 'kill'])

/** Computes an environment's delivery metrics from its rollouts (any order) over `[since, until]`. */
export function deliveryMetrics(
  environment: string,
  rollouts: readonly RolloutHistory[],
  window: { since: string; until: string },
): DeliveryMetrics {
  const since = Date.parse(window.since)
  const until = Date.parse(window.until)
  const inWindow = (iso: string | undefined) => {
    if (iso === undefined) return false
    const t = Date.parse(iso)
    return t >= since && t <= until
  }
  const ended = (status: RolloutStatus) =>
    rollouts.filter((r) => r.status === status && inWindow(r.endedAt))
  const completed = ended('completed')
  const reverted = ended('reverted')
  const detect: number[] = []
  const revert: number[] = []
  for (const rollout of reverted) {
    const failure = failureTimes(rollout)
    if (!failure) continue
    detect.push(failure.detectedAt - failure.stageStart)
    revert.push(failure.revertedAt - failure.stageStart)
  }
  const finished = completed.length + reverted.length
  return {
    environment,
    window,
    rollouts: {
      started: rollouts.filter((r) => inWindow(r.startedAt)).length,
      completed: completed.length,
      reverted: reverted.length,
      aborted: ended('aborted').length,
      active: rollouts.filter((r) => r.status === 'running' || r.status === 'paused').length,
    },
    changeFailureRate: finished === 0 ? null : reverted.length / finished,
    timeToDetect: summarize(detect),
    timeToRevert: summarize(revert),
    timeToFullRollout: summarize(
      completed.map((r) => Date.parse(r.endedAt ?? r.startedAt) - Date.parse(r.startedAt)),
    ),
  }
}

/** When the failing stage began, when something first flagged it, and when it was reverted (ms). */
function failureTimes(rollout: RolloutHistory) {
  const decisions = rollout.decisions
  const end = lastIndex(decisions.length, (i) => ENDS.has(decisions[i]?.action ?? 'start'))
  const revertDecision = decisions[end]
  const revertedAt = Date.parse(revertDecision?.at ?? rollout.endedAt ?? '')
  if (!Number.isFinite(revertedAt)) return undefined
  const stage = lastIndex(end, (i) => STAGE_STARTS.has(decisions[i]?.action ?? 'revert'))
  const stageStart = Date.parse(decisions[stage]?.at ?? rollout.startedAt)
  const alarm = decisions.find((d, i) => i > stage && i <= end && ALARMS.has(d.action))
  const detectedAt = alarm ? Date.parse(alarm.at) : revertedAt
  return { stageStart, detectedAt, revertedAt }
}

/** The largest index below `before` that matches, or -1. */
function lastIndex(before: number, matches: (i: number) => boolean): number {
  for (let i = before - 1; i >= 0; i--) if (matches(i)) return i
  return -1
}

function summarize(durationsMs: number[]): DurationSummary {
  if (durationsMs.length === 0) return { medianSeconds: null, count: 0 }
  const sorted = durationsMs.slice().sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
  return { medianSeconds: median / 1000, count: sorted.length }
}

/** Loads an environment's rollouts of the last `days` days before `now` and computes its delivery metrics. */
export async function loadDeliveryMetrics(
  store: Pick<Store, 'listEnvironmentRollouts'>,
  environment: string,
  options: { now: number; days: number },
): Promise<DeliveryMetrics> {
  const window = {
    since: new Date(options.now - options.days * 86_400_000).toISOString(),
    until: new Date(options.now).toISOString(),
  }
  const rollouts = await store.listEnvironmentRollouts(environment, window.since)
  return deliveryMetrics(environment, rollouts, window)
}
