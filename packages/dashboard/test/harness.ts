import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  createTokenSecret,
  type RunningServer,
  type ServerOptions,
  startServer,
} from '@floodgate/server'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { build } from 'vite'

const packageRoot = fileURLToPath(new URL('..', import.meta.url))

/** Debian's chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The dashboard's production build in a temporary directory. */
export async function buildDashboard(): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-dashboard-build-'))
  await build({
    root: packageRoot,
    logLevel: 'error',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  })
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The real server on a temporary SQLite file and a free port, serving a dashboard build. */
export interface DashboardServer {
  server: RunningServer
  url: string
  admin: string
  /** Calls the admin API; throws with the problem on a status other than 2xx. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>
  stop(): Promise<void>
}

export async function startDashboardServer(
  dashboard: string,
  options: ServerOptions = {},
): Promise<DashboardServer> {
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-dashboard-db-'))
  const admin = createTokenSecret('admin')
  const server = await startServer({
    port: 0,
    db: join(dir, 'floodgate.db'),
    logger: false,
    adminToken: admin,
    rateLimit: false,
    retryMs: 50,
    dashboard,
    ...options,
  })
  return {
    server,
    url: server.url,
    admin,
    async call(method, path, body) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${admin}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
      return (text === '' ? undefined : JSON.parse(text)) as never
    },
    async stop() {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Headless chromium with a fresh profile, talking to 127.0.0.1 only. */
export async function launchBrowser(): Promise<{
  context: BrowserContext
  close(): Promise<void>
}> {
  const profile = mkdtempSync(join(tmpdir(), 'floodgate-dashboard-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
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
    viewport: { width: 1366, height: 900 },
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Opens the dashboard and signs in with the admin token, as a person would. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`)
  await page.getByLabel('Admin token').fill(token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Flags', level: 1 }).waitFor()
}
