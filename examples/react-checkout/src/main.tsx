import { FlagProvider } from '@floodgate/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'

// Who the page renders for; `?user=…` picks another one (the demo serves the
// new checkout to half of the users in development; user-1 is among them).
const user = new URLSearchParams(location.search).get('user') ?? 'user-1'
const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')

createRoot(root).render(
  <StrictMode>
    <FlagProvider
      options={{ url: location.origin, token: import.meta.env.VITE_FLOODGATE_TOKEN }}
      context={{ userId: user }}
    >
      <App user={user} />
    </FlagProvider>
  </StrictMode>,
)
