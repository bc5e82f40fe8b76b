import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { ApiError } from '../api/apiError'
import { keys, useConfig, useFlag } from '../api/queries'
import type { ConfigResponse, StoredFlag } from '../api/types'
import { FlagActions } from '../components/FlagActions'
import { ProblemAlert } from '../components/ProblemAlert'
import { RulesEditor } from '../components/RulesEditor'
import { StateBadge } from '../components/StateBadge'
import { VersionHistory } from '../components/VersionHistory'
import { type ConfigDraft, fromDraft, toDraft } from '../configDraft'
import { describeServe, formatTime } from '../flagState'
import { Link } from '../router'
import { useEnvironmentParam } from '../useEnvironmentParam'

/** One flag: its state per environment, the controls, the targeting editor and the version history. */
export function FlagPage({ flagKey }: { flagKey: string }) {
  const flag = useFlag(flagKey)
  const { env, environments } = useEnvironmentParam()
  if (flag.error) {
    return (
      <section>
        <p className="crumbs">
          <Link to="/flags">Flags</Link> / {flagKey}
        </p>
        <ProblemAlert error={flag.error} title={`Flag ${flagKey}`} />
      </section>
    )
  }
  return (
    <section>
      <p className="crumbs">
        <Link to="/flags">Flags</Link> / {flagKey}
      </p>
      <div className="page-head">
        <h1>{flagKey}</h1>
        {flag.data ? <span className="tag">{flag.data.kind}</span> : null}
        {flag.data?.clientSide ? <span className="tag">client-side</span> : null}
      </div>
      {flag.data?.description ? <p>{flag.data.description}</p> : null}
      <EnvironmentTabs flagKey={flagKey} env={env} environments={environments} />
      {flag.data && env ? (
        <FlagInEnvironment key={env} flag={flag.data} env={env} />
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  )
}

function EnvironmentTabs({
  flagKey,
  env,
  environments,
}: {
  flagKey: string
  env: string | undefined
  environments: string[]
}) {
  return (
    <nav aria-label="Environment" className="env-tabs">
      <ul>
        {environments.map((name) => (
          <li key={name}>
            <Link
              to={`/flags/${encodeURIComponent(flagKey)}?env=${encodeURIComponent(name)}`}
              aria-current={name === env ? 'page' : undefined}
            >
              {name}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  )
}

function FlagInEnvironment({ flag, env }: { flag: StoredFlag; env: string }) {
  const config = useConfig(env, flag.key)
  if (config.error) return <ProblemAlert error={config.error} />
  if (!config.data) return <p className="muted">Loading…</p>
  const c = config.data
  return (
    <>
      <section className="card" aria-labelledby="state-heading">
        <h2 id="state-heading">
          In {env} <StateBadge flag={flag} config={c.config} />
        </h2>
        <dl className="facts">
          <dt>Version</dt>
          <dd>
            v{c.version}, by {c.updatedBy}, {formatTime(c.updatedAt)}
          </dd>
          {c.config.killed ? (
            <>
              <dt>Killed because</dt>
              <dd className="killed-reason">{c.config.killReason ?? '(no reason recorded)'}</dd>
            </>
          ) : null}
          <dt>Everyone else gets</dt>
          <dd>
            {c.config.enabled
              ? describeServe(c.config.fallthrough)
              : `${flag.offVariant} (disabled)`}
          </dd>
          <dt>Rules</dt>
          <dd>{c.config.rules.length === 0 ? 'none' : c.config.rules.length}</dd>
          <dt>Staged rollout</dt>
          <dd>
            <Link
              to={`/flags/${encodeURIComponent(flag.key)}/rollout?env=${encodeURIComponent(env)}`}
            >
              {c.config.rollout
                ? `Running: stage ${c.config.rollout.stage + 1} — watch it`
                : 'Start or review rollouts'}
            </Link>
          </dd>
        </dl>
        <FlagActions flag={flag} env={env} config={c} />
      </section>
      <section className="card" aria-labelledby="targeting-heading">
        <h2 id="targeting-heading">Targeting</h2>
        <TargetingForm flag={flag} env={env} config={c} />
      </section>
      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <VersionHistory flag={flag} env={env} current={c} />
      </section>
    </>
  )
}

/**
 * The editable targeting, saved with `If-Match` on the version it was read
 * at: a change made elsewhere in the meantime is a conflict, not a silent
 * overwrite. While nothing is edited, the form follows the live configuration.
 */
function TargetingForm({
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
  const [draft, setDraft] = useState<ConfigDraft>(() => toDraft(config.config))
  const [base, setBase] = useState(config.version)
  const [dirty, setDirty] = useState(false)
  const [saved, setSaved] = useState<string | null>(null)
  const statusRef = useRef<HTMLParagraphElement>(null)
  useEffect(() => {
    if (!dirty) {
      setDraft(toDraft(config.config))
      setBase(config.version)
    }
  }, [config, dirty])
  const save = useMutation({
    mutationFn: () => api.putConfig(env, flag.key, fromDraft(draft, config.config), base),
    onSuccess: async (result) => {
      setDirty(false)
      setBase(result.version)
      setSaved(
        result.changed === false
          ? 'Nothing to save: the configuration is the same.'
          : `Saved as v${result.version}.`,
      )
      await Promise.all([
        client.invalidateQueries({ queryKey: keys.config(env, flag.key) }),
        client.invalidateQueries({ queryKey: keys.configs(env) }),
        client.invalidateQueries({ queryKey: keys.versions(env, flag.key) }),
      ])
      statusRef.current?.focus()
    },
  })
  const edit = (next: ConfigDraft) => {
    setDraft(next)
    setDirty(true)
    setSaved(null)
  }
  const discard = () => {
    setDraft(toDraft(config.config))
    setBase(config.version)
    setDirty(false)
    save.reset()
  }
  const stale = save.error instanceof ApiError && save.error.code === 'stale_version'
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate()
      }}
    >
      {dirty && config.version !== base ? (
        <p className="notice" role="status">
          This configuration changed elsewhere while you edited it (v{base} → v{config.version}).
          Saving will be refused; discard your edits to see the new version.
        </p>
      ) : null}
      <RulesEditor
        draft={draft}
        variants={Object.keys(flag.variants)}
        onChange={edit}
        error={save.error}
      />
      <ProblemAlert
        error={save.error}
        title={stale ? 'Changed elsewhere' : 'The configuration was not saved'}
      />
      <p ref={statusRef} tabIndex={-1} role="status" className="saved">
        {saved}
      </p>
      <div className="actions">
        <button type="button" onClick={discard} disabled={!dirty && !save.error}>
          Discard edits
        </button>
        <button type="submit" className="primary" disabled={!dirty || save.isPending}>
          {save.isPending ? 'Saving…' : `Save targeting in ${env}`}
        </button>
      </div>
    </form>
  )
}
