import type { FlagConfig, StoredFlag } from '../api/types'
import { flagState, formatPercent, stateLabel } from '../flagState'

/** A configuration's state at a glance: killed, off, a variant or a percentage, and a running rollout's stage. */
export function StateBadge({
  flag,
  config,
}: {
  flag: Pick<StoredFlag, 'offVariant'>
  config: FlagConfig
}) {
  const state = flagState(flag, config)
  const rollout = config.rollout
  return (
    <span className="state">
      <span
        className={`badge badge-${state.state}`}
        title={state.state === 'killed' ? state.reason : undefined}
      >
        {state.state === 'killed' ? 'Killed' : stateLabel(state)}
      </span>
      {state.state === 'split' ? (
        <span className="meter" aria-hidden="true">
          <span style={{ width: `${Math.min(100, state.percent)}%` }} />
        </span>
      ) : null}
      {rollout ? (
        <span className="badge badge-rollout">
          rollout stage {rollout.stage + 1}
          {state.state === 'split' ? ` · ${formatPercent(state.percent)}` : ''}
        </span>
      ) : null}
    </span>
  )
}
