import type { RolloutDecision, RolloutState, StageEvidence } from './api/types'

/** One stage of a rollout as its timeline shows it. */
export interface StageView {
  index: number
  percent: number
  status: 'done' | 'current' | 'pending' | 'failed' | 'skipped'
  /** Epoch ms the stage started, if it did. */
  startedAt: number | undefined
  /** Epoch ms it ended; `undefined` while it runs or before it starts. */
  endedAt: number | undefined
  /** The decisions about this stage, oldest first (a promotion counts for the stage it ends). */
  decisions: RolloutDecision[]
  /** The newest evidence a decision about this stage carried. */
  evidence: StageEvidence | undefined
}

const ENTERS = new Set(['start', 'promote', 'resume'])
const ENDS = new Set(['revert', 'kill', 'complete', 'abort'])

/** The decision's stage: a promotion's evidence is about the stage it ended. */
function stageOf(decision: RolloutDecision): number {
  const evidenceStage = decision.evidence?.stageIndex
  return typeof evidenceStage === 'number' ? evidenceStage : (decision.stageIndex ?? 0)
}

/** The stages of a rollout with their windows, decisions and evidence, from its state. */
export function stageViews(rollout: RolloutState): StageView[] {
  const ended = rollout.endedAt === undefined ? undefined : Date.parse(rollout.endedAt)
  const failed = rollout.status === 'reverted' || rollout.status === 'aborted'
  return rollout.plan.stages.map((stage, index) => {
    const entered = rollout.decisions.filter((d) => d.stageIndex === index && ENTERS.has(d.action))
    const first = entered[0]
    const startedAt = first ? Date.parse(first.at) : undefined
    const next = rollout.decisions.find(
      (d) =>
        startedAt !== undefined &&
        Date.parse(d.at) >= startedAt &&
        ((d.action === 'promote' && (d.stageIndex ?? 0) > index) || ENDS.has(d.action)),
    )
    const decisions = rollout.decisions.filter((d) => stageOf(d) === index)
    const evidence = [...decisions].reverse().find((d) => d.evidence)?.evidence as
      | StageEvidence
      | undefined
    let status: StageView['status']
    if (index < rollout.stageIndex) status = 'done'
    else if (index > rollout.stageIndex) status = failed ? 'skipped' : 'pending'
    else if (rollout.status === 'completed') status = 'done'
    else if (failed) status = 'failed'
    else status = 'current'
    return {
      index,
      percent: stage.percent,
      status,
      startedAt,
      endedAt: next ? Date.parse(next.at) : index === rollout.stageIndex ? ended : undefined,
      decisions,
      evidence,
    }
  })
}
