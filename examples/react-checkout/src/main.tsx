import { createBrowserClient, FlagProvider } from '@floodgate/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'

// Who the page renders for; `?user=…` picks another one (the demo serves the
// new checkout to half of the users in development; user-1 is among them).
const params = new URLSearchParams(location.search)
const user = params.get('user') ?? 'user-1'
const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')
const settings = { url: location.origin, token: import.meta.env.VITE_FLOODGATE_TOKEN }

// By default the server evaluates the flags for this user (the small remote
// client); `?mode=local` evaluates them in the page from the rules instead.
const provider =
  params.get('mode') === 'local' ? (
    <FlagProvider client={createBrowserClient(settings)} context={{ userId: user }}>
      <App user={user} mode="local" />
    </FlagProvider>
  ) : (
    <FlagProvider options={settings} context={{ userId: user }}>
      <App user={user} mode="remote" />
    </FlagProvider>
  )

createRoot(root).render(<StrictMode>{provider}</StrictMode>)
