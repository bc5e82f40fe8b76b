import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium } from 'playwright-core'
import { build, type PreviewServer, preview } from 'vite'

const cli = fileURLToPath(new URL('../packages/server/dist/cli.js', import.meta.url))

/** Debian's chromium; `.ci/run` installs it when it is missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** `pnpm start`'s server (the CLI with `--demo`) on a throwaway database and a free port. */
export interface DemoServer {
  url: string
  tokens: { admin: string; server: string; client: string }
  /** Calls the admin API; throws on a status other than 2xx. */
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>
  stop(): Promise<void>
}

export async function startDemoServer(): Promise<DemoServer> {
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-example-'))
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      '--demo',
      '--db',
      join(dir, 'floodgate.db'),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: withoutAdminToken(process.env) },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const listening = /listening on (http:\/\/\S+)/.exec(out)
      if (listening?.[1] && out.includes('Client SDK token')) resolve(listening[1])
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)))
  })
  const tokens = JSON.parse(
    readFileSync(join(dir, 'demo-tokens.json'), 'utf8'),
  ) as DemoServer['tokens']
  return {
    url,
    tokens,
    async admin(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens.admin}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
      return text === '' ? undefined : JSON.parse(text)
    },
    async stop() {
      await stopProcess(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** An example's production build, served by `vite preview` with `/v1` proxied to `serverUrl`. */
export interface ServedApp {
  url: string
  stop(): Promise<void>
}

export async function serveApp(
  exampleRoot: string,
  serverUrl: string,
  clientToken: string,
): Promise<ServedApp> {
  const outDir = mkdtempSync(join(tmpdir(), 'floodgate-example-app-'))
  // vite.config.ts reads both, as it does for a person running the example.
  process.env.FLOODGATE_URL = serverUrl
  process.env.FLOODGATE_CLIENT_TOKEN = clientToken
  await build({ root: exampleRoot, logLevel: 'error', build: { outDir, emptyOutDir: true } })
  const server: PreviewServer = await preview({
    root: exampleRoot,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  })
  const url = server.resolvedUrls?.local[0]
  if (url === undefined) throw new Error('vite preview reported no URL')
  return {
    url,
    async stop() {
      await server.close()
      rmSync(outDir, { recursive: true, force: true })
    },
  }
}

/**
 * Headless chromium as CI runs it, with nothing of its own on the network
 * (no QUIC, sync, component updates or first-run fetches), so the page's
 * requests are the only traffic. `launch` gives every browser a fresh
 * temporary profile.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}

/** The demo makes and saves its own admin token unless one is given. */
function withoutAdminToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FLOODGATE_ADMIN_TOKEN: _, ...rest } = env
  return rest
}
