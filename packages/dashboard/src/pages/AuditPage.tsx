import { useInfiniteQuery } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys, useEnvironments } from '../api/queries'
import type { AuditFilters } from '../api/types'
import { DiffTable } from '../components/DiffTable'
import { ProblemAlert } from '../components/ProblemAlert'
import { formatTime } from '../flagState'
import { navigate, useLocation } from '../router'

/** The audit actions the log can be filtered by, as the server records them. */
const ACTIONS = [
  'flag.create',
  'flag.update',
  'flag.delete',
  'config.update',
  'config.rollout',
  'config.kill',
  'config.unkill',
  'config.revert',
  'rollout.start',
  'rollout.promote',
  'rollout.hold',
  'rollout.pause',
  'rollout.resume',
  'rollout.revert',
  'rollout.complete',
  'rollout.abort',
  'segment.create',
  'segment.update',
  'segment.delete',
  'token.create',
  'token.revoke',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'environment.create',
]

const FILTERS = ['flag', 'env', 'actor', 'action', 'since', 'until'] as const

/** Who changed what and when, newest first, filtered; the filters live in the URL so a link shares them. */
export function AuditPage() {
  const api = useAdminApi()
  const id = useId()
  const { search } = useLocation()
  const environments = useEnvironments()
  const applied: AuditFilters = {}
  for (const name of FILTERS) {
    const value = search.get(name)
    if (value)
      applied[name] = name === 'since' || name === 'until' ? new Date(value).toISOString() : value
  }
  const [form, setForm] = useState<Record<(typeof FILTERS)[number], string>>(() => ({
    flag: search.get('flag') ?? '',
    env: search.get('env') ?? '',
    actor: search.get('actor') ?? '',
    action: search.get('action') ?? '',
    since: search.get('since') ?? '',
    until: search.get('until') ?? '',
  }))
  const log = useInfiniteQuery({
    queryKey: [...keys.audit, 'log', applied],
    queryFn: ({ pageParam }) =>
      api.audit({ ...applied, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: 0,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  })
  const apply = (event: FormEvent) => {
    event.preventDefault()
    const query = new URLSearchParams()
    for (const name of FILTERS) if (form[name].trim()) query.set(name, form[name].trim())
    navigate(`/audit${query.size > 0 ? `?${query}` : ''}`, { replace: true })
  }
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? []
  const text = (name: (typeof FILTERS)[number], label: string, type = 'text') => (
    <label className="field inline" htmlFor={`${id}${name}`}>
      <span>{label}</span>
      <input
        id={`${id}${name}`}
        type={type}
        value={form[name]}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
    </label>
  )
  return (
    <section>
      <h1>Audit log</h1>
      <form className="filters" onSubmit={apply} aria-label="Audit filters">
        {text('flag', 'Flag')}
        <label className="field inline" htmlFor={`${id}env`}>
          <span>Environment</span>
          <select
            id={`${id}env`}
            value={form.env}
            onChange={(e) => setForm({ ...form, env: e.target.value })}
          >
            <option value="">All</option>
            {(environments.data ?? []).map((e) => (
              <option key={e.name}>{e.name}</option>
            ))}
          </select>
        </label>
        {text('actor', 'Actor')}
        <label className="field inline" htmlFor={`${id}action`}>
          <span>Action</span>
          <select
            id={`${id}action`}
            value={form.action}
            onChange={(e) => setForm({ ...form, action: e.target.value })}
          >
            <option value="">All</option>
            {ACTIONS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        {text('since', 'Since', 'datetime-local')}
        {text('until', 'Until', 'datetime-local')}
        <button type="submit" className="primary">
          Filter
        </button>
      </form>
      <ProblemAlert error={log.error} />
      {log.data && entries.length === 0 ? <p className="muted">No entries match.</p> : null}
      {entries.length > 0 ? (
        <table className="grid">
          <caption className="visually-hidden">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">What</th>
              <th scope="col">Environment</th>
              <th scope="col">Reason and change</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>{formatTime(entry.at)}</td>
                <td>{entry.actor}</td>
                <td>
                  <span className={`badge badge-action-${entry.action.split('.')[1]}`}>
                    {entry.action}
                  </span>
                </td>
                <td>
                  {entry.resourceType} <code>{entry.resourceKey}</code>
                </td>
                <td>{entry.environment ?? <span className="muted">all</span>}</td>
                <td>
                  {entry.reason ? <q>{entry.reason}</q> : null}
                  <details>
                    <summary>Before and after</summary>
                    <DiffTable before={entry.before} after={entry.after} />
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {log.hasNextPage ? (
        <button
          type="button"
          onClick={() => void log.fetchNextPage()}
          disabled={log.isFetchingNextPage}
        >
          {log.isFetchingNextPage ? 'Loading…' : 'Older entries'}
        </button>
      ) : null}
    </section>
  )
}
