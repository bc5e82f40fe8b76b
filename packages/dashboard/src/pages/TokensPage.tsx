import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys, useEnvironments } from '../api/queries'
import type { TokenRecord, TokenScope } from '../api/types'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { FieldErrors, ProblemAlert } from '../components/ProblemAlert'
import { SecretOnce } from '../components/SecretOnce'
import { formatTime } from '../flagState'

/** API tokens: create one (its secret is shown once), list them, revoke one. */
export function TokensPage() {
  const api = useAdminApi()
  const client = useQueryClient()
  const id = useId()
  const tokens = useQuery({
    queryKey: keys.tokens,
    queryFn: async () => (await api.listTokens()).tokens,
  })
  const environments = useEnvironments()
  const [name, setName] = useState('')
  const [scope, setScope] = useState<TokenScope>('server')
  const [env, setEnv] = useState('')
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null)
  const [revoking, setRevoking] = useState<TokenRecord | null>(null)
  const refresh = () => client.invalidateQueries({ queryKey: keys.tokens })
  const create = useMutation({
    mutationFn: () =>
      api.createToken({
        name: name.trim(),
        scope,
        ...(scope === 'admin' ? {} : { environment: env || (environments.data?.[0]?.name ?? '') }),
      }),
    onSuccess: async (result) => {
      setSecret({ name: result.token.name, secret: result.secret })
      setName('')
      await refresh()
    },
  })
  const revoke = useMutation({
    mutationFn: (tokenId: string) => api.revokeToken(tokenId),
    onSuccess: refresh,
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    create.mutate()
  }
  return (
    <section>
      <h1>Tokens</h1>
      {secret ? (
        <SecretOnce
          label={`Secret of ${secret.name}`}
          secret={secret.secret}
          onDismiss={() => setSecret(null)}
        />
      ) : null}
      <form onSubmit={submit} className="card form" aria-label="New token">
        <h2>New token</h2>
        <div className="row">
          <label className="field inline" htmlFor={`${id}name`}>
            <span>Name</span>
            <input
              id={`${id}name`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              placeholder="checkout-service"
            />
            <FieldErrors error={create.error} path="/name" />
          </label>
          <label className="field inline" htmlFor={`${id}scope`}>
            <span>Scope</span>
            <select
              id={`${id}scope`}
              value={scope}
              onChange={(e) => setScope(e.target.value as TokenScope)}
            >
              <option value="server">server (one environment, every flag)</option>
              <option value="client">
                client (one environment, client-side flags, for browsers)
              </option>
              <option value="admin">admin (the admin API and this dashboard)</option>
            </select>
          </label>
          {scope === 'admin' ? null : (
            <label className="field inline" htmlFor={`${id}env`}>
              <span>Environment</span>
              <select id={`${id}env`} value={env} onChange={(e) => setEnv(e.target.value)}>
                {(environments.data ?? []).map((e) => (
                  <option key={e.name}>{e.name}</option>
                ))}
              </select>
              <FieldErrors error={create.error} path="/environment" />
            </label>
          )}
          <button type="submit" className="primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
        <ProblemAlert error={create.error} title="The token was not created" />
      </form>
      <ProblemAlert error={tokens.error ?? revoke.error} />
      {tokens.data ? (
        <table className="grid">
          <caption className="visually-hidden">Tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Environment</th>
              <th scope="col">Secret starts</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id} className={t.revokedAt ? 'revoked' : undefined}>
                <td>{t.name}</td>
                <td>{t.scope}</td>
                <td>{t.environment ?? <span className="muted">all</span>}</td>
                <td>
                  <code>{t.hint}</code>
                </td>
                <td>
                  {formatTime(t.createdAt)} by {t.createdBy}
                </td>
                <td>
                  {t.revokedAt ? (
                    `revoked ${formatTime(t.revokedAt)}`
                  ) : (
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setRevoking(t)}
                      aria-label={`Revoke ${t.name}`}
                    >
                      Revoke…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke the token"
          danger
          onConfirm={() => revoke.mutateAsync(revoking.id)}
          onClose={() => setRevoking(null)}
        >
          <p>
            Every request and stream that uses it is refused from now on ({revoking.scope}
            {revoking.environment ? `, ${revoking.environment}` : ''}). This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}
