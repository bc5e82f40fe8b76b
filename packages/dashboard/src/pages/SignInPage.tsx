import { type FormEvent, useId, useState } from 'react'
import { AdminApi } from '../api/adminApi'
import { ApiError } from '../api/apiError'
import { ProblemAlert } from '../components/ProblemAlert'
import { session } from '../session'

/**
 * Sign-in with an admin token. The token is checked with one admin call
 * before it is kept (in this tab's sessionStorage only).
 */
export function SignInPage({ baseUrl }: { baseUrl: string }) {
  const inputId = useId()
  const hintId = useId()
  const [token, setToken] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const notice = session.signedOutBecause()
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const secret = token.trim()
    if (!secret.startsWith('fg_admin_')) {
      setError(
        new Error(
          'An admin token starts with fg_admin_ (server and client tokens cannot sign in).',
        ),
      )
      return
    }
    setBusy(true)
    setError(null)
    try {
      await new AdminApi({ baseUrl, token: secret }).listEnvironments()
      session.signIn(secret)
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? new Error(`The server does not accept this token: ${failure.message}.`)
          : failure,
      )
    } finally {
      setBusy(false)
    }
  }
  return (
    <main className="sign-in" id="main">
      <h1>
        <span className="logo" aria-hidden="true">
          ▤
        </span>{' '}
        Floodgate
      </h1>
      <form onSubmit={submit} className="card">
        <h2>Sign in</h2>
        {notice ? <p className="notice">{notice}</p> : null}
        <label htmlFor={inputId} className="field">
          <span>Admin token</span>
          <input
            id={inputId}
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="fg_admin_…"
            aria-describedby={hintId}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            required
          />
        </label>
        <p id={hintId} className="hint">
          The server prints an admin token on its first start (<code>pnpm start</code> prints the
          demo's every time). It is kept in this tab only, until the tab closes.
        </p>
        <ProblemAlert error={error} title="Could not sign in" />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
