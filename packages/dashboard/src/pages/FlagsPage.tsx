import { useId, useMemo } from 'react'
import { useAllConfigs, useEnvironments, useFlags } from '../api/queries'
import type { StoredFlagConfig } from '../api/types'
import { ProblemAlert } from '../components/ProblemAlert'
import { StateBadge } from '../components/StateBadge'
import { Link, setSearchParam, useLocation } from '../router'

/** Every flag with one column per environment, searchable and filtered by tag. */
export function FlagsPage() {
  const searchId = useId()
  const tagId = useId()
  const { search } = useLocation()
  const query = search.get('q') ?? ''
  const tag = search.get('tag') ?? ''
  const flags = useFlags()
  const environments = useEnvironments()
  const names = environments.data?.map((e) => e.name) ?? []
  const configs = useAllConfigs(names)
  const byEnv = useMemo(() => {
    const map = new Map<string, Map<string, StoredFlagConfig>>()
    names.forEach((env, i) => {
      map.set(env, new Map((configs[i]?.data ?? []).map((c) => [c.flagKey, c])))
    })
    return map
  }, [names, configs])
  const tags = [...new Set((flags.data ?? []).flatMap((f) => f.tags))].sort()
  const needle = query.trim().toLowerCase()
  const shown = (flags.data ?? []).filter(
    (f) =>
      (tag === '' || f.tags.includes(tag)) &&
      (needle === '' ||
        f.key.includes(needle) ||
        f.description.toLowerCase().includes(needle) ||
        f.tags.some((t) => t.toLowerCase().includes(needle))),
  )
  return (
    <section>
      <div className="page-head">
        <h1>Flags</h1>
        <Link to="/flags/new" className="button primary">
          New flag
        </Link>
      </div>
      <div className="filters">
        <label htmlFor={searchId} className="field inline">
          <span>Search</span>
          <input
            id={searchId}
            type="search"
            value={query}
            placeholder="key, description or tag"
            onChange={(e) => setSearchParam('q', e.target.value || null)}
          />
        </label>
        <label htmlFor={tagId} className="field inline">
          <span>Tag</span>
          <select
            id={tagId}
            value={tag}
            onChange={(e) => setSearchParam('tag', e.target.value || null)}
          >
            <option value="">All tags</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ProblemAlert
        error={flags.error ?? environments.error ?? configs.find((c) => c.error)?.error}
      />
      {flags.isPending ? <p className="muted">Loading flags…</p> : null}
      {flags.data && shown.length === 0 ? (
        <p className="muted">
          {flags.data.length === 0
            ? 'No flags yet: create the first one.'
            : 'No flag matches these filters.'}
        </p>
      ) : null}
      {shown.length > 0 ? (
        <table className="grid">
          <caption className="visually-hidden">Flags and what each environment serves</caption>
          <thead>
            <tr>
              <th scope="col">Flag</th>
              {names.map((env) => (
                <th scope="col" key={env}>
                  {env}
                </th>
              ))}
              <th scope="col">Tags</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((flag) => (
              <tr key={flag.key}>
                <th scope="row">
                  <Link to={`/flags/${encodeURIComponent(flag.key)}`}>{flag.key}</Link>
                  {flag.description ? <div className="muted small">{flag.description}</div> : null}
                </th>
                {names.map((env) => {
                  const config = byEnv.get(env)?.get(flag.key)
                  return (
                    <td key={env} data-env={env}>
                      {config ? (
                        <Link
                          to={`/flags/${encodeURIComponent(flag.key)}?env=${encodeURIComponent(env)}`}
                          className="cell-link"
                        >
                          <span className="visually-hidden">
                            {flag.key} in {env}:{' '}
                          </span>
                          <StateBadge flag={flag} config={config.config} />
                        </Link>
                      ) : (
                        <span className="muted">…</span>
                      )}
                    </td>
                  )
                })}
                <td>
                  {flag.tags.map((t) => (
                    <span className="tag" key={t}>
                      {t}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}
