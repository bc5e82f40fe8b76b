import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { bootstrapAdminToken } from './adminBootstrap'
import { Authenticator, requireScope } from './auth'
import { findDashboardDir } from './dashboardDir'
import { type Leadership, PostgresLeadership, SoleLeadership } from './leadership'
import { instrumentStore, Metrics } from './metrics'
import { errorHandler, notFoundHandler } from './problem'
import { loadDeliveryMetrics } from './rollouts/deliveryMetrics'
import { RolloutController, type RolloutControllerOptions } from './rollouts/rolloutController'
import type { RouteContext } from './routeContext'
import { adminAuditRoutes } from './routes/adminAudit'
import { adminConfigsRoutes } from './routes/adminConfigs'
import { adminDeliveryMetricsRoutes } from './routes/adminDeliveryMetrics'
import { adminFlagsRoutes } from './routes/adminFlags'
import { adminRolloutsRoutes } from './routes/adminRollouts'
import { adminSegmentsRoutes } from './routes/adminSegments'
import { adminStreamRoutes } from './routes/adminStream'
import { adminTokensRoutes } from './routes/adminTokens'
import { adminWebhooksRoutes } from './routes/adminWebhooks'
import { dashboardRoutes } from './routes/dashboard'
import { healthRoutes } from './routes/health'
import { sdkRoutes } from './routes/sdk'
import { SignalIngest } from './signalIngest'
import { createPostgresStore, isPostgresUrl } from './store/postgresStore'
import { createSqliteStore } from './store/sqliteStore'
import type { Store } from './store/store'
import { StreamHub } from './streamHub'
import { rolloutWebhookEvent } from './webhooks/rolloutWebhookEvent'
import { WebhookDispatcher, type WebhookDispatcherOptions } from './webhooks/webhookDispatcher'

/** Options of `createServer` and `startServer`; every one has a default. */
export interface ServerOptions {
  /** The store to use. Default: the store `db` names. A store passed in is not closed by `close()`. */
  store?: Store
  /**
   * The database when no `store` is given: a PostgreSQL URL (`postgres://…`,
   * for several replicas on one database) or a SQLite file. Default
   * `./floodgate.db`; `':memory:'` for a throwaway server.
   */
  db?: string
  /** Port to listen on (`startServer`). Default 4242; 0 picks a free port. */
  port?: number
  /** Interface to listen on (`startServer`). Default `127.0.0.1`. */
  host?: string
  /** Make this secret an admin token instead of generating one on the first start (`FLOODGATE_ADMIN_TOKEN`). */
  adminToken?: string
  /** Fastify's pino logger options, or `false` for none. Default `{ level: 'info' }`. */
  logger?: FastifyServerOptions['logger']
  /** Largest request body in bytes (413 beyond). Default 1 MiB. */
  bodyLimit?: number
  /** Requests per SDK token per window on `/v1/sdk/*` (429 beyond), or `false`. Default 6000 per minute. */
  rateLimit?: { max: number; windowMs: number } | false
  /** Open SSE streams beyond which a new one gets 503 with `Retry-After`. Default 10000. */
  maxStreams?: number
  /** Heartbeat comment interval on streams, in ms. Default 15000. */
  heartbeatMs?: number
  /** `retry:` hint sent when a shutdown ends the streams, in ms. Default 2000. */
  retryMs?: number
  /** Recent changes kept per environment for `Last-Event-ID` resume. Default 1000. */
  resumeBufferSize?: number
  /** Width of a signals aggregation bucket, in ms. Default 60000. */
  signalBucketMs?: number
  /** How often a replica writes the signals it holds in memory (in one statement), in ms. Default 1000. */
  signalFlushMs?: number
  /** How long a signals batch id is remembered to drop retries, in ms. Default 24 h. */
  signalDedupeMs?: number
  /** CORS origin(s) allowed on `/v1/sdk/*`. Default `*`. */
  corsOrigin?: string | string[]
  /**
   * Which replica decides rollouts. Default: on a PostgreSQL `db`, the replica
   * holding an advisory lock (`PostgresLeadership`); otherwise this process.
   */
  leadership?: Leadership
  /** The rollout controller's clock and timer (see `RolloutControllerOptions`); tests inject a clock and `tickMs: 0`. */
  rollouts?: Omit<RolloutControllerOptions, 'logger'>
  /** Webhook delivery: attempt timeout, attempts, backoff, polling, clock (see `WebhookDispatcherOptions`). */
  webhooks?: Omit<WebhookDispatcherOptions, 'store' | 'logger' | 'onAttempt'>
  /**
   * The web dashboard served at `/`: a directory of its built files, or
   * `false` for none. Default: `@floodgate/dashboard`'s build when that
   * package is installed and built, else none (the API works either way).
   */
  dashboard?: string | false
}

/** A built server that is not listening yet: use `app.inject()` for tests, or `startServer`. */
export interface FloodgateServer {
  /** The Fastify instance (`inject`, `listen`, `log`). */
  app: FastifyInstance
  /** The store the server uses. */
  store: Store
  /** The signals ingestion path: `signals.subscribe(listener)` hears every accepted batch. */
  signals: SignalIngest
  /** The rollout controller: `rollouts.subscribe(listener)` hears every rollout event. */
  rollouts: RolloutController
  /** Whether this replica leads (decides rollouts): `leadership.isLeader`. */
  leadership: Leadership
  /** Sends webhook events: `webhooks.publish(event)` queues it for every matching endpoint. */
  webhooks: WebhookDispatcher
  /** The admin token secret generated by this start (first start only), to print once. */
  adminToken: string | undefined
  /** Graceful shutdown: stops accepting, ends streams with a retry hint, finishes in-flight requests, closes the store it opened. */
  close(): Promise<void>
}

/** A listening server. */
export interface RunningServer extends FloodgateServer {
  /** Base URL, e.g. `http://127.0.0.1:4242`. */
  url: string
  port: number
}

/**
 * Builds the server (store, streams, routes) without listening.
 *
 * @example
 * const server = await createServer({ db: ':memory:', logger: false })
 * const res = await server.app.inject({ method: 'GET', url: '/healthz' })
 */
export async function createServer(options: ServerOptions = {}): Promise<FloodgateServer> {
  const app = Fastify({
    logger: options.logger ?? { level: 'info' },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  })
  const ownStore = options.store === undefined
  const db = options.db ?? './floodgate.db'
  const postgres = ownStore && isPostgresUrl(db)
  const baseStore =
    options.store ??
    (postgres
      ? await createPostgresStore({ url: db, logger: app.log })
      : await createSqliteStore({ path: db }))
  const leadership =
    options.leadership ??
    (postgres ? new PostgresLeadership({ url: db, logger: app.log }) : new SoleLeadership())
  try {
    await leadership.settled()
    return await build(app, baseStore, ownStore, leadership, options)
  } catch (error) {
    if (options.leadership === undefined) await leadership.close()
    if (ownStore) await baseStore.close()
    throw error
  }
}

async function build(
  app: FastifyInstance,
  baseStore: Store,
  ownStore: boolean,
  leadership: Leadership,
  options: ServerOptions,
): Promise<FloodgateServer> {
  const metrics = new Metrics()
  metrics.leader.set(leadership.isLeader ? 1 : 0)
  const stopWatchingLeadership = leadership.subscribe((leader) => {
    metrics.leader.set(leader ? 1 : 0)
    app.log.info({ leader }, leader ? 'this replica leads' : 'this replica no longer leads')
  })
  const store = instrumentStore(baseStore, metrics)
  const adminToken = await bootstrapAdminToken(store, options.adminToken)
  const hub = new StreamHub(
    store,
    {
      heartbeatMs: options.heartbeatMs ?? 15_000,
      maxStreams: options.maxStreams ?? 10_000,
      resumeBufferSize: options.resumeBufferSize ?? 1000,
      retryMs: options.retryMs ?? 2000,
      maxBufferedBytes: 16 * 1024 * 1024,
      adminResumeLimit: 1000,
    },
    metrics,
    app.log,
  )
  await hub.start()
  const auth = new Authenticator(store)
  const dedupeMs = options.signalDedupeMs ?? 24 * 3600 * 1000
  const signals = new SignalIngest(store, {
    bucketMs: options.signalBucketMs ?? 60_000,
    flushMs: options.signalFlushMs ?? 1000,
    recentIdsMs: Math.min(dedupeMs, 10 * 60 * 1000),
    variantsOf: (environment, flagKey) => hub.view(environment)?.variantsOf(flagKey),
    metrics,
    logger: app.log,
  })
  const rollouts = new RolloutController(store, {
    ...options.rollouts,
    isLeader: () => leadership.isLeader,
    logger: app.log,
  })
  await rollouts.load()
  signals.subscribe((event) => {
    rollouts.observe(event).catch((error: unknown) => {
      app.log.error({ err: error, environment: event.environment }, 'a rollout missed a batch')
    })
  })
  rollouts.subscribe((event) => hub.publishAdmin('rollout', event))
  const webhooks = new WebhookDispatcher({
    ...options.webhooks,
    store,
    logger: app.log,
    onAttempt: (outcome) => metrics.webhookAttempts.inc({ state: outcome.state }),
  })
  rollouts.subscribe((event) => {
    webhooks.publish(rolloutWebhookEvent(event)).catch((error: unknown) => {
      app.log.error({ err: error, rollout: event.rolloutId }, 'queueing a rollout webhook failed')
    })
  })
  const now = options.rollouts?.now ?? Date.now
  metrics.trackDelivery(async () => {
    const environments = await store.listEnvironments()
    return Promise.all(
      environments.map((e) => loadDeliveryMetrics(store, e.name, { now: now(), days: 30 })),
    )
  })
  const ctx: RouteContext = { store, hub, auth, signals, metrics, rollouts, leadership, webhooks }

  const prune = setInterval(
    () => {
      store
        .pruneSignalBatchIds(new Date(Date.now() - dedupeMs).toISOString())
        .catch((error: unknown) => {
          app.log.error({ err: error }, 'pruning signal batch ids failed')
        })
      webhooks.pruneLog().catch((error: unknown) => {
        app.log.error({ err: error }, 'pruning the webhook delivery log failed')
      })
    },
    Math.min(dedupeMs, 3600 * 1000),
  )
  prune.unref()

  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
  })
  // Connections that have not sent a request yet (a client's spare or
  // speculative connection): shutdown does not wait for them.
  const unused = new Set<Socket>()
  app.server.on('connection', (socket: Socket) => {
    unused.add(socket)
    socket.once('close', () => unused.delete(socket))
  })
  app.server.on('request', (request: IncomingMessage) => unused.delete(request.socket))
  app.addHook('preClose', async () => {
    hub.close()
    // `server.close()` drops the connections idle at that moment; the streams
    // just ended and the requests still in flight leave keep-alive sockets that
    // turn idle only later, and shutdown would wait for their clients to drop
    // them (undici: after 4 s). Sweep idle and unused connections until the server closes.
    if (app.server.listening) {
      const sweep = setInterval(() => {
        app.server.closeIdleConnections()
        for (const socket of unused) socket.destroy()
      }, 20)
      sweep.unref()
      app.server.once('close', () => clearInterval(sweep))
    }
  })
  app.addHook('onClose', async () => {
    clearInterval(prune)
    await rollouts.close()
    stopWatchingLeadership()
    // Stepping down at once lets another replica lead without waiting for a retry.
    if (options.leadership === undefined) await leadership.close()
    await webhooks.stop()
    auth.close()
    // Signals held in memory are written before the store closes: none is lost on a graceful shutdown.
    await signals.close()
    if (ownStore) await baseStore.close()
  })

  await app.register(healthRoutes(ctx))
  await app.register(
    sdkRoutes(ctx, {
      rateLimit: options.rateLimit ?? { max: 6000, windowMs: 60_000 },
      corsOrigin: options.corsOrigin ?? '*',
    }),
  )
  await app.register(async function admin(scope) {
    scope.addHook('onRequest', requireScope(auth, ['admin']))
    await scope.register(adminFlagsRoutes(ctx))
    await scope.register(adminConfigsRoutes(ctx))
    await scope.register(adminSegmentsRoutes(ctx))
    await scope.register(adminAuditRoutes(ctx))
    await scope.register(adminTokensRoutes(ctx))
    await scope.register(adminStreamRoutes(ctx))
    await scope.register(adminRolloutsRoutes(ctx))
    await scope.register(adminWebhooksRoutes(ctx))
    await scope.register(adminDeliveryMetricsRoutes(ctx, now))
  })
  const dashboard = options.dashboard ?? findDashboardDir()
  if (dashboard !== false && dashboard !== undefined) await app.register(dashboardRoutes(dashboard))
  await app.ready()
  // Sending starts only once the server is built, so a failed start leaves no poller behind.
  webhooks.start()

  return {
    app,
    store,
    signals,
    rollouts,
    leadership,
    webhooks,
    adminToken,
    close: () => app.close(),
  }
}

/**
 * Builds the server and listens.
 *
 * @example
 * const server = await startServer({ port: 0, db: ':memory:', logger: false })
 * console.log(server.url, server.adminToken)
 * await server.close()
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const server = await createServer(options)
  try {
    await server.app.listen({ port: options.port ?? 4242, host: options.host ?? '127.0.0.1' })
  } catch (error) {
    await server.close()
    throw error
  }
  const address = server.app.server.address()
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4242)
  const host = options.host ?? '127.0.0.1'
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host
  return { ...server, url: `http://${urlHost}:${port}`, port }
}
