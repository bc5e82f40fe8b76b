import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import type { RolloutAction } from '../api/adminApi'
import { keys, useCurrentRollout, useFlag } from '../api/queries'
import type { Assessment, RolloutState, SignalSeries, StoredFlag } from '../api/types'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { ErrorRateChart, ratePoints } from '../components/ErrorRateChart'
import { EvidenceView, TestStatistic } from '../components/EvidenceView'
import { PlanForm } from '../components/PlanForm'
import { ProblemAlert } from '../components/ProblemAlert'
import { formatPercent, formatTime } from '../flagState'
import { type StageView, stageViews } from '../rolloutStages'
import { Link } from '../router'
import { useEnvironmentParam } from '../useEnvironmentParam'

/** How often an active rollout's signals and assessment are refreshed (decisions come over the stream). */
const ACTIVE_REFRESH_MS = 2000
/** How long after its end a rollout's signals are still refreshed. */
const SETTLE_MS = 10_000

/** A flag's staged rollout in one environment: the plan form, or the live timeline with its evidence and controls. */
export function RolloutPage({ flagKey }: { flagKey: string }) {
  const { env, environments } = useEnvironmentParam()
  const flag = useFlag(flagKey)
  const flagPath = `/flags/${encodeURIComponent(flagKey)}`
  return (
    <section>
      <p className="crumbs">
        <Link to="/flags">Flags</Link> /{' '}
        <Link to={`${flagPath}${env ? `?env=${env}` : ''}`}>{flagKey}</Link> / Rollout
      </p>
      <h1>Rollout of {flagKey}</h1>
      <nav aria-label="Environment" className="env-tabs">
        <ul>
          {environments.map((name) => (
            <li key={name}>
              <Link
                to={`${flagPath}/rollout?env=${encodeURIComponent(name)}`}
                aria-current={name === env ? 'page' : undefined}
              >
                {name}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ProblemAlert error={flag.error} />
      {flag.data && env ? <RolloutInEnvironment key={env} flag={flag.data} env={env} /> : null}
    </section>
  )
}

function RolloutInEnvironment({ flag, env }: { flag: StoredFlag; env: string }) {
  const current = useCurrentRollout(env, flag.key)
  if (current.error) return <ProblemAlert error={current.error} />
  if (current.isPending) return <p className="muted">Loading…</p>
  const rollout = current.data
  const active = rollout && (rollout.status === 'running' || rollout.status === 'paused')
  return (
    <>
      {rollout ? <RolloutView flag={flag} env={env} rollout={rollout} /> : null}
      {active ? null : (
        <section className="card" aria-labelledby="plan-heading">
          <h2 id="plan-heading">Start a staged rollout in {env}</h2>
          <p className="muted">
            The controller compares treatment with control after every signals batch: it promotes a
            stage once it lasted its minimum time with enough evidence, and reverts as soon as
            treatment is worse with confidence.
          </p>
          <PlanForm flag={flag} env={env} />
        </section>
      )}
    </>
  )
}

function RolloutView({
  flag,
  env,
  rollout,
}: {
  flag: StoredFlag
  env: string
  rollout: RolloutState
}) {
  const api = useAdminApi()
  const active = rollout.status === 'running' || rollout.status === 'paused'
  const health = useQuery({
    queryKey: keys.health(env, flag.key),
    queryFn: () => api.health(env, flag.key),
    refetchInterval: active ? ACTIVE_REFRESH_MS : false,
  })
  const until = rollout.endedAt ?? null
  // The server writes signals about once a second: the last ones land shortly after the end.
  const settling = until !== null && Date.now() - Date.parse(until) < SETTLE_MS
  const signals = useQuery({
    queryKey: [...keys.signals(env, flag.key), rollout.id, until],
    queryFn: () => api.signals(env, flag.key, rollout.startedAt, until ?? new Date().toISOString()),
    refetchInterval: active || settling ? ACTIVE_REFRESH_MS : false,
  })
  const assessment = health.data?.rollout?.id === rollout.id ? health.data.assessment : null
  const stages = stageViews(rollout)
  return (
    <section className="card" aria-labelledby="rollout-heading">
      <div className="page-head">
        <h2 id="rollout-heading">
          Rollout {rollout.id} in {env}
        </h2>
        <span className={`badge badge-status-${rollout.status}`} data-testid="rollout-status">
          {rollout.status}
        </span>
      </div>
      <p>
        {rollout.plan.treatment} against {rollout.plan.control}, now at{' '}
        <strong>{formatPercent(rollout.percent)}</strong> (stage {rollout.stageIndex + 1} of{' '}
        {rollout.plan.stages.length}). Started {formatTime(rollout.startedAt)}
        {rollout.endedAt ? `, ended ${formatTime(rollout.endedAt)}` : ''}. On failure:{' '}
        {rollout.plan.onFailure}.
      </p>
      <FinalDecision rollout={rollout} />
      {active ? <RolloutControls flag={flag} env={env} rollout={rollout} /> : null}
      {active && assessment ? (
        <AssessmentView assessment={assessment} paused={rollout.status === 'paused'} />
      ) : null}
      <ProblemAlert error={health.error ?? signals.error} />
      <h3>Stages</h3>
      <ol className="timeline">
        {stages.map((stage) => (
          <StageItem
            key={stage.index}
            stage={stage}
            rollout={rollout}
            signals={signals.data}
            assessment={stage.status === 'current' ? assessment : null}
          />
        ))}
      </ol>
    </section>
  )
}

/** How an ended rollout ended, up front: during an incident that is the first thing to know. */
function FinalDecision({ rollout }: { rollout: RolloutState }) {
  if (rollout.status === 'running' || rollout.status === 'paused') {
    if (rollout.status !== 'paused') return null
    const pause = [...rollout.decisions].reverse().find((d) => d.action === 'pause')
    return pause ? (
      <p className="notice" role="status">
        Paused by {pause.by ?? 'someone'}: {pause.reason}
      </p>
    ) : null
  }
  const last = rollout.decisions.at(-1)
  if (!last) return null
  const tone = rollout.status === 'completed' ? 'success' : 'problem'
  return (
    <div className={tone} role="status" data-testid="rollout-outcome">
      <strong>
        {rollout.status === 'reverted'
          ? last.action === 'kill'
            ? 'Reverted automatically: the flag was killed'
            : 'Reverted automatically to 0 %'
          : rollout.status === 'completed'
            ? 'Completed'
            : 'Aborted'}
      </strong>{' '}
      by {last.by ?? 'the controller'} at {formatTime(last.at)}: {last.reason}
    </div>
  )
}

function AssessmentView({ assessment, paused }: { assessment: Assessment; paused: boolean }) {
  return (
    <div className="assessment" aria-live="polite">
      <h3>
        {paused
          ? 'Where the evidence stands (paused: nothing is decided)'
          : 'What the controller sees now'}
      </h3>
      <p>
        <span className="badge">{assessment.action}</span> {assessment.reason}
      </p>
      <TestStatistic test={assessment.evidence.errorTest} />
    </div>
  )
}

function StageItem({
  stage,
  rollout,
  signals,
  assessment,
}: {
  stage: StageView
  rollout: RolloutState
  signals: SignalSeries | undefined
  assessment: Assessment | null
}) {
  const from = stage.startedAt
  const to = stage.endedAt ?? Date.now()
  const points =
    signals && from !== undefined
      ? ratePoints(
          signals.buckets,
          { treatment: rollout.plan.treatment, control: rollout.plan.control },
          from,
          to,
          signals.bucketMs,
        )
      : []
  const evidence = assessment?.evidence ?? stage.evidence
  return (
    <li
      className={`stage stage-${stage.status}`}
      aria-current={stage.status === 'current' ? 'step' : undefined}
    >
      <div className="stage-head">
        <h4>
          Stage {stage.index + 1}: {formatPercent(stage.percent)}
        </h4>
        <span className={`badge badge-stage-${stage.status}`}>{stage.status}</span>
        {from !== undefined ? (
          <span className="muted small">
            {formatTime(from)}
            {stage.endedAt ? ` – ${formatTime(stage.endedAt)}` : ' – now'}
          </span>
        ) : null}
      </div>
      {from !== undefined ? (
        <>
          <ErrorRateChart points={points} label={`Stage ${stage.index + 1} error rates`} />
          {evidence ? <EvidenceView evidence={evidence} /> : null}
        </>
      ) : null}
      {stage.decisions.length > 0 ? (
        <>
          <h5>Decisions</h5>
          <ul className="decisions">
            {stage.decisions.map((d) => (
              <li key={`${d.at}-${d.action}`} className={`decision decision-${d.action}`}>
                <p>
                  <span className="badge">{d.action}</span> {formatTime(d.at)} by{' '}
                  {d.by ?? 'controller'}: {d.reason}
                </p>
                {d.evidence ? (
                  <details>
                    <summary>Evidence</summary>
                    <pre>{JSON.stringify(d.evidence, null, 2)}</pre>
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </li>
  )
}

const ACTIONS: Record<RolloutAction, { label: string; describe: string; danger: boolean }> = {
  pause: {
    label: 'Pause',
    describe: 'The split stays as it is and nothing is decided until it resumes.',
    danger: false,
  },
  resume: {
    label: 'Resume',
    describe: 'The stage starts over (its clock and counts); the evidence so far stays.',
    danger: false,
  },
  promote: {
    label: 'Promote',
    describe: 'Moves to the next stage now, without waiting for the evidence.',
    danger: false,
  },
  abort: {
    label: 'Abort',
    describe: 'Serves control to everyone the split covers (0 %), and ends the rollout.',
    danger: true,
  },
}

function RolloutControls({
  flag,
  env,
  rollout,
}: {
  flag: StoredFlag
  env: string
  rollout: RolloutState
}) {
  const api = useAdminApi()
  const client = useQueryClient()
  const [asking, setAsking] = useState<RolloutAction | null>(null)
  const act = useMutation({
    mutationFn: ({ action, reason }: { action: RolloutAction; reason: string }) =>
      api.rolloutAction(env, flag.key, action, reason || undefined),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.rollout(env, flag.key) }),
        client.invalidateQueries({ queryKey: keys.health(env, flag.key) }),
        client.invalidateQueries({ queryKey: keys.config(env, flag.key) }),
      ]),
  })
  const allowed: RolloutAction[] =
    rollout.status === 'running' ? ['pause', 'promote', 'abort'] : ['resume', 'promote', 'abort']
  const next = rollout.plan.stages[rollout.stageIndex + 1]
  return (
    <div className="row controls">
      {allowed.map((action) => (
        <button
          key={action}
          type="button"
          className={ACTIONS[action].danger ? 'danger' : undefined}
          onClick={() => setAsking(action)}
        >
          {ACTIONS[action].label}…
        </button>
      ))}
      {asking ? (
        <ConfirmDialog
          title={`${ACTIONS[asking].label} the rollout of ${flag.key} in ${env}?`}
          confirmLabel={ACTIONS[asking].label}
          danger={ACTIONS[asking].danger}
          reason={{ label: 'Reason', required: false }}
          onConfirm={(reason) => act.mutateAsync({ action: asking, reason })}
          onClose={() => setAsking(null)}
        >
          <p>
            {ACTIONS[asking].describe}
            {asking === 'promote'
              ? next
                ? ` Next: ${formatPercent(next.percent)}.`
                : ' This is the last stage: it completes.'
              : ''}
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
