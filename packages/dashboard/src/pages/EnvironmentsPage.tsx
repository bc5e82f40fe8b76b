import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys, useAllConfigs, useEnvironments, useFlags } from '../api/queries'
import type { StoredFlag, StoredFlagConfig } from '../api/types'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { DiffTable } from '../components/DiffTable'
import { ProblemAlert } from '../components/ProblemAlert'
import { StateBadge } from '../components/StateBadge'
import { promotable, promoted, sameTargeting } from '../drift'
import { Link, setSearchParam, useLocation } from '../router'

/**
 * Environments side by side: every flag's state in each, the ones whose
 * targeting differs between environments highlighted, and promotion of a
 * flag's targeting from one environment to another after a look at the diff.
 */
export function EnvironmentsPage() {
  const filterId = useId()
  const { search } = useLocation()
  const onlyDrift = search.get('drift') === '1'
  const selected = search.get('flag')
  const flags = useFlags()
  const environments = useEnvironments()
  const names = environments.data?.map((e) => e.name) ?? []
  const configs = useAllConfigs(names)
  const configOf = (env: string, key: string) =>
    configs[names.indexOf(env)]?.data?.find((c) => c.flagKey === key)
  const drifted = (flag: StoredFlag) => {
    const all = names.map((env) => configOf(env, flag.key)).filter((c) => c !== undefined)
    return all.some((c) => all[0] && !sameTargeting(c.config, all[0].config))
  }
  const rows = (flags.data ?? []).filter((f) => !onlyDrift || drifted(f))
  const selectedFlag = flags.data?.find((f) => f.key === selected)
  return (
    <section>
      <h1>Environments</h1>
      <p className="muted">
        {names
          .map(
            (env) => `${env} (v${environments.data?.find((e) => e.name === env)?.version ?? '?'})`,
          )
          .join(' · ')}
        . A highlighted cell serves something else than the first environment.
      </p>
      <label className="check" htmlFor={filterId}>
        <input
          id={filterId}
          type="checkbox"
          checked={onlyDrift}
          onChange={(e) => setSearchParam('drift', e.target.checked ? '1' : null)}
        />
        Only flags whose targeting differs between environments
      </label>
      <ProblemAlert
        error={flags.error ?? environments.error ?? configs.find((c) => c.error)?.error}
      />
      <table className="grid">
        <caption className="visually-hidden">
          Flags per environment, with configuration drift
        </caption>
        <thead>
          <tr>
            <th scope="col">Flag</th>
            {names.map((env) => (
              <th scope="col" key={env}>
                {env}
              </th>
            ))}
            <th scope="col">Drift</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((flag) => {
            const first = names[0] === undefined ? undefined : configOf(names[0], flag.key)
            const differs = drifted(flag)
            return (
              <tr key={flag.key} className={differs ? 'drift-row' : undefined}>
                <th scope="row">
                  <Link to={`/flags/${encodeURIComponent(flag.key)}`}>{flag.key}</Link>
                </th>
                {names.map((env, i) => {
                  const config = configOf(env, flag.key)
                  const off =
                    i > 0 && config && first && !sameTargeting(config.config, first.config)
                  return (
                    <td key={env} className={off ? 'drift' : undefined}>
                      {config ? <StateBadge flag={flag} config={config.config} /> : '…'}
                      {off ? (
                        <span className="visually-hidden"> (differs from {names[0]})</span>
                      ) : null}
                    </td>
                  )
                })}
                <td>
                  {differs ? (
                    <span className="badge badge-drift">differs</span>
                  ) : (
                    <span className="muted">same</span>
                  )}{' '}
                  <button
                    type="button"
                    onClick={() => setSearchParam('flag', flag.key)}
                    aria-label={`Compare and promote ${flag.key}`}
                  >
                    Compare…
                  </button>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {selectedFlag ? (
        <Promotion
          key={selectedFlag.key}
          flag={selectedFlag}
          environments={names}
          configOf={(env) => configOf(env, selectedFlag.key)}
        />
      ) : null}
    </section>
  )
}

function Promotion({
  flag,
  environments,
  configOf,
}: {
  flag: StoredFlag
  environments: string[]
  configOf: (env: string) => StoredFlagConfig | undefined
}) {
  const api = useAdminApi()
  const client = useQueryClient()
  const id = useId()
  const [from, setFrom] = useState(environments[0] ?? '')
  const [to, setTo] = useState(environments[1] ?? '')
  const [confirming, setConfirming] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const source = configOf(from)
  const target = configOf(to)
  const promote = useMutation({
    mutationFn: async () => {
      if (!source || !target) throw new Error('both environments must hold the flag')
      return api.putConfig(to, flag.key, promoted(source.config, target.config), target.version)
    },
    onSuccess: async (result) => {
      setDone(
        result.changed === false
          ? `${to} already served this.`
          : `Promoted ${flag.key} from ${from} to ${to}: ${to} is at v${result.version}.`,
      )
      await Promise.all([
        client.invalidateQueries({ queryKey: keys.configs(to) }),
        client.invalidateQueries({ queryKey: keys.config(to, flag.key) }),
      ])
    },
  })
  return (
    <section className="card" aria-labelledby={`${id}h`}>
      <h2 id={`${id}h`}>Promote {flag.key}</h2>
      <div className="row">
        <label className="field inline" htmlFor={`${id}from`}>
          <span>From</span>
          <select id={`${id}from`} value={from} onChange={(e) => setFrom(e.target.value)}>
            {environments.map((env) => (
              <option key={env}>{env}</option>
            ))}
          </select>
        </label>
        <label className="field inline" htmlFor={`${id}to`}>
          <span>To</span>
          <select id={`${id}to`} value={to} onChange={(e) => setTo(e.target.value)}>
            {environments.map((env) => (
              <option key={env}>{env}</option>
            ))}
          </select>
        </label>
        <button type="button" className="link" onClick={() => setSearchParam('flag', null)}>
          Close
        </button>
      </div>
      {source && target ? (
        <>
          <DiffTable
            before={promotable(target.config)}
            after={promotable(source.config)}
            beforeLabel={`${to} now (v${target.version})`}
            afterLabel={`${to} after (from ${from})`}
            caption={`What promoting changes in ${to}`}
          />
          {target.config.killed ? (
            <p className="notice">
              {flag.key} is killed in {to}; it stays killed.
            </p>
          ) : null}
          {target.config.rollout ? (
            <p className="notice">A staged rollout runs in {to}: a change by hand pauses it.</p>
          ) : null}
          <ProblemAlert error={promote.error} title="Not promoted" />
          {done ? <p role="status">{done}</p> : null}
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={from === to || sameTargeting(source.config, target.config)}
              onClick={() => {
                setDone(null)
                setConfirming(true)
              }}
            >
              Promote to {to}…
            </button>
          </div>
          {confirming ? (
            <ConfirmDialog
              title={`Promote ${flag.key} from ${from} to ${to}?`}
              confirmLabel={`Promote to ${to}`}
              onConfirm={() => promote.mutateAsync()}
              onClose={() => setConfirming(false)}
            >
              <p>
                {to} gets {from}'s targeting (enabled, rules, fallthrough, salt) as a new version.
                If {to} changed since this page read it (v{target.version}), the server refuses and
                nothing changes.
              </p>
            </ConfirmDialog>
          ) : null}
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  )
}
