import { existsSync, readFileSync } from 'node:fs'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The Floodgate server the dev and preview servers proxy `/v1` to. */
const serverUrl = process.env.FLOODGATE_URL ?? 'http://localhost:4242'

/**
 * The client token baked into the page: `FLOODGATE_CLIENT_TOKEN`, else the
 * demo's, which `pnpm start` saves in `.floodgate/demo-tokens.json`.
 */
function clientToken(): string {
  if (process.env.FLOODGATE_CLIENT_TOKEN) return process.env.FLOODGATE_CLIENT_TOKEN
  const saved = new URL('../../.floodgate/demo-tokens.json', import.meta.url)
  if (existsSync(saved)) {
    const { client } = JSON.parse(readFileSync(saved, 'utf8')) as { client?: string }
    if (client) return client
  }
  throw new Error(
    'No client token: run `pnpm start` at the repository root first, or set FLOODGATE_CLIENT_TOKEN',
  )
}

// The page talks to its own origin and Vite forwards `/v1` to Floodgate: no
// CORS preflight, so keepalive signals need no cross-origin support either.
const proxy = { '/v1': { target: serverUrl, changeOrigin: true } }

export default defineConfig(() => ({
  plugins: [react()],
  define: { 'import.meta.env.VITE_FLOODGATE_TOKEN': JSON.stringify(clientToken()) },
  server: { proxy },
  preview: { proxy },
}))
