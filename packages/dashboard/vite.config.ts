import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'

/** The Floodgate server `pnpm dev` forwards the admin API to. */
const serverUrl = process.env.FLOODGATE_URL ?? 'http://127.0.0.1:4242'

// The workspace's packages are bundled from their sources (no build of theirs needed);
// the dashboard is served at `/` by the server, and in development `/v1` goes to it.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['@floodgate/source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/v1': { target: serverUrl, changeOrigin: true } } },
})
