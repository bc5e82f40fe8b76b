import { dirname, join, resolve } from 'node:path'
import { type RunningServer, startServer } from '../app'
import { findDashboardDir } from '../dashboardDir'
import { isPostgresUrl } from '../store/postgresStore'
import { createTokenSecret } from '../tokenSecret'
import { readDemoTokens, seedDemo } from './demo'
import type { CliIo } from './program'

/** Options of `floodgate serve`. */
export interface ServeOptions {
  port: string
  host: string
  /** Default: `DATABASE_URL`, else `./floodgate.db`. */
  db?: string
  logLevel: string
  maxStreams?: string
  demo?: boolean
}

/**
 * Starts the server, prints where it listens (and a generated admin token,
 * once), seeds the demo when asked, and shuts down gracefully on SIGTERM or
 * SIGINT (a second signal exits at once).
 */
export async function runServe(options: ServeOptions, io: CliIo): Promise<RunningServer> {
  const port = Number(options.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, not "${options.port}"`)
  }
  const maxStreams = options.maxStreams === undefined ? undefined : Number(options.maxStreams)
  if (maxStreams !== undefined && (!Number.isInteger(maxStreams) || maxStreams < 1)) {
    throw new Error(`--max-streams must be a positive whole number, not "${options.maxStreams}"`)
  }
  const db = options.db ?? io.env.DATABASE_URL ?? './floodgate.db'
  const postgres = isPostgresUrl(db)
  const dbPath = postgres ? db : resolve(db)
  // The demo keeps its tokens beside a SQLite file, and in the working directory on PostgreSQL.
  const dbDir = postgres ? resolve('.floodgate') : dirname(dbPath)
  let adminToken = io.env.FLOODGATE_ADMIN_TOKEN
  if (options.demo && adminToken === undefined) {
    adminToken = readDemoTokens(dbDir).admin ?? createTokenSecret('admin')
  }
  const server = await startServer({
    port,
    host: options.host,
    db: dbPath,
    logger: { level: options.logLevel },
    ...(adminToken === undefined ? {} : { adminToken }),
    ...(maxStreams === undefined ? {} : { maxStreams }),
  })
  io.out(`Floodgate listening on ${server.url} (database ${postgres ? redactUrl(db) : db})`)
  if (server.adminToken) {
    io.out(`Admin token (shown only this once, keep it safe):\n  ${server.adminToken}`)
  }
  if (options.demo && adminToken !== undefined) {
    const tokens = await seedDemo(server.store, dbDir, adminToken)
    const cli = `FLOODGATE_URL=${server.url} FLOODGATE_TOKEN=${tokens.admin} pnpm floodgate`
    io.out(
      [
        '',
        'Demo: flag "new-checkout" in every environment, browser flag "dark-mode"',
        `  Admin token:       ${tokens.admin}`,
        ...(findDashboardDir() === undefined
          ? []
          : [`  Dashboard:         ${server.url}/   (sign in with the admin token)`]),
        `  Server SDK token:  ${tokens.server}   (development)`,
        `  Client SDK token:  ${tokens.client}   (development)`,
        `  (kept in ${join(dbDir, 'demo-tokens.json')}, git-ignored, so the next start shows them again)`,
        '',
        'Try:',
        `  curl -H "Authorization: Bearer ${tokens.server}" ${server.url}/v1/sdk/snapshot`,
        `  ${cli} status`,
        `  ${cli} kill new-checkout --env development --reason "trying the kill switch"`,
        '',
        'Press Ctrl-C to stop.',
      ].join('\n'),
    )
  }

  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1)
    stopping = true
    server.app.log.info({ signal }, 'shutting down')
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        io.err(`shutdown failed: ${String(error)}`)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  return server
}

/** A database URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'postgres://…'
  }
}
