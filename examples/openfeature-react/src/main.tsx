import { FloodgateWebProvider } from '@floodgate/openfeature/web'
import { OpenFeature, OpenFeatureProvider } from '@openfeature/react-sdk'
import { StrictMode, Suspense } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'

// Who the page renders for; `?user=…` picks another one (the demo serves the
// new checkout to half of the users in development; user-1 is among them).
const user = new URLSearchParams(location.search).get('user') ?? 'user-1'
const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')

// The context first, then the provider: its first evaluation is already for this user.
void OpenFeature.setContext({ targetingKey: user })
OpenFeature.setProvider(
  new FloodgateWebProvider({ url: location.origin, token: import.meta.env.VITE_FLOODGATE_TOKEN }),
)

createRoot(root).render(
  <StrictMode>
    <OpenFeatureProvider>
      <Suspense fallback={<p>Loading flags…</p>}>
        <App />
      </Suspense>
    </OpenFeatureProvider>
  </StrictMode>,
)
