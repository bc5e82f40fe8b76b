import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import './styles.css'

const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')

// The server that serves the dashboard answers its API too: same origin, no CORS.
createRoot(root).render(
  <StrictMode>
    <App baseUrl={location.origin} />
  </StrictMode>,
)
