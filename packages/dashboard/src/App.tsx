import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { type ReactNode, useEffect, useState } from 'react'
import { AdminApiProvider } from './api/AdminApiProvider'
import { AdminApi } from './api/adminApi'
import { AdminEvents } from './api/adminEvents'
import { ApiError } from './api/apiError'
import { LiveUpdates } from './LiveUpdates'
import { AuditPage } from './pages/AuditPage'
import { EnvironmentsPage } from './pages/EnvironmentsPage'
import { FlagPage } from './pages/FlagPage'
import { FlagsPage } from './pages/FlagsPage'
import { NewFlagPage } from './pages/NewFlagPage'
import { RolloutPage } from './pages/RolloutPage'
import { SignInPage } from './pages/SignInPage'
import { TokensPage } from './pages/TokensPage'
import { WebhooksPage } from './pages/WebhooksPage'
import { Link, matchPath, navigate, useLocation } from './router'
import { session, useSessionToken } from './session'

/** The dashboard: sign-in until a token is kept, then the pages. `baseUrl` is the server's origin. */
export function App({ baseUrl }: { baseUrl: string }) {
  const token = useSessionToken()
  if (token === null) return <SignInPage baseUrl={baseUrl} />
  return <SignedIn key={token} token={token} baseUrl={baseUrl} />
}

function SignedIn({ token, baseUrl }: { token: string; baseUrl: string }) {
  const [{ api, events, client }] = useState(() => {
    const api = new AdminApi({ baseUrl, token })
    const refused = (error: unknown) => {
      // A revoked token: back to sign-in, saying why.
      if (error instanceof ApiError && error.status === 401) {
        session.signOut(
          `The server no longer accepts this token (${error.message}). Sign in again.`,
        )
      }
    }
    const client = new QueryClient({
      queryCache: new QueryCache({ onError: refused }),
      mutationCache: new MutationCache({ onError: refused }),
      defaultOptions: {
        queries: {
          // A 4xx will not change by asking again; a network failure might.
          retry: (count, error) => !(error instanceof ApiError && error.status >= 400) && count < 2,
          staleTime: 5_000,
        },
      },
    })
    return { api, events: new AdminEvents(api), client }
  })
  useEffect(() => {
    const stop = events.subscribeStatus(() => {
      if (events.getStatus().status === 'refused') {
        session.signOut('The server no longer accepts this token for live updates. Sign in again.')
      }
    })
    events.start()
    return () => {
      stop()
      events.stop()
    }
  }, [events])
  return (
    <QueryClientProvider client={client}>
      <AdminApiProvider api={api} events={events}>
        <Layout>
          <Routes />
        </Layout>
      </AdminApiProvider>
    </QueryClientProvider>
  )
}

const NAV = [
  { to: '/flags', label: 'Flags' },
  { to: '/environments', label: 'Environments' },
  { to: '/audit', label: 'Audit log' },
  { to: '/tokens', label: 'Tokens' },
  { to: '/webhooks', label: 'Webhooks' },
]

function Layout({ children }: { children: ReactNode }) {
  const { pathname } = useLocation()
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/flags" className="brand">
          <span className="logo" aria-hidden="true">
            ▤
          </span>{' '}
          Floodgate
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={pathname.startsWith(item.to) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <LiveUpdates />
        <button type="button" className="link" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  )
}

function Routes() {
  const { pathname } = useLocation()
  useEffect(() => {
    if (pathname === '/') navigate('/flags', { replace: true })
  }, [pathname])
  const flagRollout = matchPath('/flags/:key/rollout', pathname)
  if (flagRollout?.key) return <RolloutPage flagKey={flagRollout.key} />
  if (pathname === '/flags/new') return <NewFlagPage />
  const flag = matchPath('/flags/:key', pathname)
  if (flag?.key) return <FlagPage flagKey={flag.key} />
  if (pathname === '/flags' || pathname === '/') return <FlagsPage />
  if (pathname === '/environments') return <EnvironmentsPage />
  if (pathname === '/audit') return <AuditPage />
  if (pathname === '/tokens') return <TokensPage />
  if (pathname === '/webhooks') return <WebhooksPage />
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at <code>{pathname}</code>. <Link to="/flags">Go to the flags</Link>.
      </p>
    </section>
  )
}
