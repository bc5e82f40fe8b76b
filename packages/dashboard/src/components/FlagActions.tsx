import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys } from '../api/queries'
import type { ConfigResponse, StoredFlag } from '../api/types'
import { flagState, formatPercent } from '../flagState'
import { ConfirmDialog } from './ConfirmDialog'

/**
 * The operational controls of a flag in one environment: the rollout
 * percentage (with a confirm step), and the kill switch and its undo (each
 * with a required reason).
 */
export function FlagActions({
  flag,
  env,
  config,
}: {
  flag: StoredFlag
  env: string
  config: ConfigResponse
}) {
  const api = useAdminApi()
  const client = useQueryClient()
  const id = useId()
  const state = flagState(flag, config.config)
  const currentPercent = state.state === 'split' ? state.percent : undefined
  const [percent, setPercent] = useState(currentPercent === undefined ? '' : String(currentPercent))
  const [confirming, setConfirming] = useState<'percent' | 'kill' | 'unkill' | null>(null)
  const [inputError, setInputError] = useState<string | null>(null)
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: keys.config(env, flag.key) }),
      client.invalidateQueries({ queryKey: keys.configs(env) }),
      client.invalidateQueries({ queryKey: keys.versions(env, flag.key) }),
    ])
  const run = useMutation({
    mutationFn: (action: () => Promise<unknown>) => action(),
    onSuccess: refresh,
  })
  const wanted = Number(percent.replace(',', '.'))
  const askPercent = (event: FormEvent) => {
    event.preventDefault()
    if (percent.trim() === '' || !Number.isFinite(wanted) || wanted < 0 || wanted > 100) {
      setInputError('Enter a percentage from 0 to 100.')
      return
    }
    setInputError(null)
    setConfirming('percent')
  }
  const treatment =
    state.state === 'split' ? state.treatment : flag.kind === 'boolean' ? 'on' : undefined
  return (
    <div className="flag-actions">
      <form onSubmit={askPercent} className="row" noValidate>
        <label className="field inline" htmlFor={`${id}percent`}>
          <span>Percentage served {treatment ?? 'the treatment'}</span>
          <input
            id={`${id}percent`}
            className="narrow"
            inputMode="decimal"
            value={percent}
            onChange={(e) => setPercent(e.target.value)}
            aria-invalid={inputError ? true : undefined}
            aria-describedby={`${id}percent-error`}
          />
        </label>
        <button type="submit">Set percentage…</button>
        <span id={`${id}percent-error`} className="field-error">
          {inputError}
        </span>
      </form>
      <div className="row">
        {config.config.killed ? (
          <button type="button" className="primary" onClick={() => setConfirming('unkill')}>
            Unkill…
          </button>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming('kill')}>
            Kill…
          </button>
        )}
      </div>
      {confirming === 'percent' ? (
        <ConfirmDialog
          title={`Set ${flag.key} to ${formatPercent(wanted)} in ${env}?`}
          confirmLabel={`Serve ${formatPercent(wanted)}`}
          reason={{ label: 'Reason', required: false }}
          onConfirm={(reason) =>
            run.mutateAsync(() => api.setPercent(env, flag.key, wanted, reason))
          }
          onClose={() => setConfirming(null)}
        >
          <p>
            {treatment ?? 'The treatment'} goes to {formatPercent(wanted)} of units in{' '}
            <strong>{env}</strong>
            {currentPercent === undefined ? '' : ` (now ${formatPercent(currentPercent)})`}; the
            rest get the control variant. Raising it only adds units. The flag is enabled.
            {config.config.rollout
              ? ' A staged rollout runs on this flag: a change by hand pauses it.'
              : ''}
            {config.config.killed ? ' The flag stays killed until it is unkilled.' : ''}
          </p>
        </ConfirmDialog>
      ) : null}
      {confirming === 'kill' ? (
        <ConfirmDialog
          title={`Kill ${flag.key} in ${env}?`}
          confirmLabel="Kill the flag"
          danger
          reason={{ label: 'Reason', required: true }}
          onConfirm={(reason) => run.mutateAsync(() => api.kill(env, flag.key, reason))}
          onClose={() => setConfirming(null)}
        >
          <p>
            Every SDK in <strong>{env}</strong> serves <code>{flag.offVariant}</code> at once. The
            rest of the configuration stays as it is, so unkilling restores it exactly.
            {config.config.rollout ? ' The running rollout is aborted.' : ''}
          </p>
        </ConfirmDialog>
      ) : null}
      {confirming === 'unkill' ? (
        <ConfirmDialog
          title={`Unkill ${flag.key} in ${env}?`}
          confirmLabel="Unkill the flag"
          reason={{ label: 'Reason', required: true }}
          onConfirm={(reason) => run.mutateAsync(() => api.unkill(env, flag.key, reason))}
          onClose={() => setConfirming(null)}
        >
          <p>
            SDKs in <strong>{env}</strong> go back to the configuration from before the kill.
            {config.config.killReason ? (
              <>
                {' '}
                It was killed because: <q>{config.config.killReason}</q>.
              </>
            ) : null}
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
