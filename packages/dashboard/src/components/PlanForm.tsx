import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys } from '../api/queries'
import type { RolloutPlanInput, StoredFlag } from '../api/types'
import { PathErrors } from './PathErrors'
import { ProblemAlert } from './ProblemAlert'

interface StageRow {
  percent: string
  minDurationSec: string
  maxDurationSec: string
}

const DEFAULT_STAGES: StageRow[] = [1, 5, 25, 50, 100].map((p) => ({
  percent: String(p),
  minDurationSec: p === 100 ? '0' : '600',
  maxDurationSec: '',
}))

/** The plan of a staged rollout, with the design's defaults; the server checks it and names each problem's field. */
export function PlanForm({ flag, env }: { flag: StoredFlag; env: string }) {
  const api = useAdminApi()
  const client = useQueryClient()
  const id = useId()
  const variants = Object.keys(flag.variants)
  const [treatment, setTreatment] = useState(
    variants.includes('on') ? 'on' : (variants[1] ?? variants[0] ?? ''),
  )
  const [control, setControl] = useState(variants.includes('off') ? 'off' : (variants[0] ?? ''))
  const [stages, setStages] = useState<StageRow[]>(DEFAULT_STAGES)
  const [tolerance, setTolerance] = useState('0.1')
  const [alpha, setAlpha] = useState('0.01')
  const [minEvidence, setMinEvidence] = useState('30')
  const [onFailure, setOnFailure] = useState<'revert' | 'kill'>('revert')
  const [localGuard, setLocalGuard] = useState(false)
  const [minErrors, setMinErrors] = useState('20')
  const [maxErrorRate, setMaxErrorRate] = useState('0.5')
  const start = useMutation({
    mutationFn: (plan: RolloutPlanInput) => api.startRollout(env, flag.key, plan),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.rollout(env, flag.key) }),
        client.invalidateQueries({ queryKey: keys.rollouts(env, flag.key) }),
        client.invalidateQueries({ queryKey: keys.config(env, flag.key) }),
      ]),
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    start.mutate({
      treatment,
      control,
      stages: stages.map((s) => ({
        percent: Number(s.percent),
        minDurationSec: Number(s.minDurationSec || 0),
        ...(s.maxDurationSec.trim() === '' ? {} : { maxDurationSec: Number(s.maxDurationSec) }),
      })),
      guard: {
        tolerance: Number(tolerance),
        alpha: Number(alpha),
        minEvidence: Number(minEvidence),
      },
      onFailure,
      ...(localGuard
        ? { localGuard: { minErrors: Number(minErrors), maxErrorRate: Number(maxErrorRate) } }
        : {}),
    })
  }
  const setStage = (i: number, patch: Partial<StageRow>) =>
    setStages(stages.map((s, j) => (j === i ? { ...s, ...patch } : s)))
  const error = start.error
  return (
    <form onSubmit={submit} className="plan" aria-label="Rollout plan">
      <div className="row">
        <label className="field inline" htmlFor={`${id}t`}>
          <span>Treatment</span>
          <select id={`${id}t`} value={treatment} onChange={(e) => setTreatment(e.target.value)}>
            {variants.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label className="field inline" htmlFor={`${id}c`}>
          <span>Control</span>
          <select id={`${id}c`} value={control} onChange={(e) => setControl(e.target.value)}>
            {variants.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label className="field inline" htmlFor={`${id}f`}>
          <span>On failure</span>
          <select
            id={`${id}f`}
            value={onFailure}
            onChange={(e) => setOnFailure(e.target.value as 'revert' | 'kill')}
          >
            <option value="revert">revert to 0 %</option>
            <option value="kill">kill the flag</option>
          </select>
        </label>
      </div>
      <PathErrors error={error} path="/treatment" />
      <PathErrors error={error} path="/control" />
      <fieldset>
        <legend>Stages</legend>
        <table className="grid small">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Percent</th>
              <th scope="col">Minimum duration (s)</th>
              <th scope="col">Maximum duration (s, optional)</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {stages.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: stages are ordered and edited in place
              <tr key={i}>
                <th scope="row">{i + 1}</th>
                <td>
                  <input
                    aria-label={`Stage ${i + 1} percent`}
                    className="narrow"
                    inputMode="decimal"
                    value={s.percent}
                    onChange={(e) => setStage(i, { percent: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Stage ${i + 1} minimum duration in seconds`}
                    className="narrow"
                    inputMode="numeric"
                    value={s.minDurationSec}
                    onChange={(e) => setStage(i, { minDurationSec: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Stage ${i + 1} maximum duration in seconds`}
                    className="narrow"
                    inputMode="numeric"
                    value={s.maxDurationSec}
                    onChange={(e) => setStage(i, { maxDurationSec: e.target.value })}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => setStages(stages.filter((_, j) => j !== i))}
                    aria-label={`Remove stage ${i + 1}`}
                    disabled={stages.length === 1}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button
          type="button"
          onClick={() =>
            setStages([...stages, { percent: '100', minDurationSec: '0', maxDurationSec: '' }])
          }
        >
          Add a stage
        </button>
        <PathErrors error={error} path="/stages" />
      </fieldset>
      <fieldset>
        <legend>Guard</legend>
        <div className="row">
          <label className="field inline" htmlFor={`${id}tol`}>
            <span>Tolerated increase of the error rate</span>
            <input
              id={`${id}tol`}
              className="narrow"
              value={tolerance}
              onChange={(e) => setTolerance(e.target.value)}
            />
          </label>
          <label className="field inline" htmlFor={`${id}alpha`}>
            <span>α (false-alarm probability)</span>
            <input
              id={`${id}alpha`}
              className="narrow"
              value={alpha}
              onChange={(e) => setAlpha(e.target.value)}
            />
          </label>
          <label className="field inline" htmlFor={`${id}ev`}>
            <span>Minimum evidence (expected bad events)</span>
            <input
              id={`${id}ev`}
              className="narrow"
              value={minEvidence}
              onChange={(e) => setMinEvidence(e.target.value)}
            />
          </label>
        </div>
        <PathErrors error={error} path="/guard" />
        <label className="check">
          <input
            type="checkbox"
            checked={localGuard}
            onChange={(e) => setLocalGuard(e.target.checked)}
          />
          Local guard in each SDK process (stops serving treatment there when it fails repeatedly)
        </label>
        {localGuard ? (
          <div className="row">
            <label className="field inline" htmlFor={`${id}me`}>
              <span>Minimum errors</span>
              <input
                id={`${id}me`}
                className="narrow"
                value={minErrors}
                onChange={(e) => setMinErrors(e.target.value)}
              />
            </label>
            <label className="field inline" htmlFor={`${id}mr`}>
              <span>Maximum error rate</span>
              <input
                id={`${id}mr`}
                className="narrow"
                value={maxErrorRate}
                onChange={(e) => setMaxErrorRate(e.target.value)}
              />
            </label>
          </div>
        ) : null}
        <PathErrors error={error} path="/localGuard" />
      </fieldset>
      <ProblemAlert error={error} title="The rollout did not start" />
      <div className="actions">
        <button type="submit" className="primary" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : `Start the rollout in ${env}`}
        </button>
      </div>
    </form>
  )
}
