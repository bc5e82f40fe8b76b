import {
  type ClientStatus,
  Connection,
  type ConnectionOptions,
  type Context,
  FlagClient,
  type FlagClientOptions,
  FlagSdkError,
  type Logger,
  type Snapshot,
} from '@floodgate/core'
import { FileCache } from './fileCache'
import { type ContextMiddleware, RequestContext } from './requestContext'
import { closeOnShutdown } from './shutdown'
import { unrefFetch } from './unrefFetch'
import { VERSION } from './version'

/** Options of `createClient`. `url` and `token` connect it; without a `url` it works offline from `bootstrap`. */
export interface NodeClientOptions {
  /** The Floodgate server, e.g. `https://flags.example.com`. Default: none (offline: `bootstrap` or `cacheFile` needed). */
  url?: string
  /** A `server` (or `client`) SDK token; required with `url`. */
  token?: string
  /** Attributes under every evaluation (the lowest layer, e.g. `{ instanceId, region }`). Default: none. */
  context?: Context
  /** Keep a stream open for instant updates (falls back to polling while it fails). `false` polls only. Default `true`. */
  streaming?: boolean
  /** Time between two polls when polling, in ms. Default 15000. */
  pollIntervalMs?: number
  /** Time between two signals batches, in ms (urgent batches go at once). Default 10000. */
  signalsIntervalMs?: number
  /** A file to keep the last good snapshot in, used at start while the server is unreachable. Default: none. */
  cacheFile?: string
  /** A snapshot to serve until the server's arrives (or always, offline). Default: none. */
  bootstrap?: Snapshot
  /** Time allowed for one request until the response headers arrive, in ms. Default 10000. */
  timeoutMs?: number
  /** Where warnings go (failures, a corrupt cache). Default: `console`. */
  logger?: Logger
  /** Close the client (flushing signals) on SIGTERM, SIGINT and `beforeExit`. Default `true`. */
  closeOnShutdown?: boolean
  /** Treatment errors in one window that send signals at once. Default 10. */
  urgentErrors?: number
  /** This process in signals batches (and the fleet's dashboards). Default: a random id. */
  instanceId?: string
  /** Finer transport settings (backoff, heartbeat timeout, `fetch`, …); see `ConnectionOptions`. */
  transport?: Omit<Partial<ConnectionOptions>, 'url' | 'token'>
}

/** Options of `ready`. */
export interface ReadyOptions {
  /** Longest wait, in ms. Default 10000. */
  timeoutMs?: number
}

/**
 * The Node SDK's client: everything `FlagClient` does (evaluation, `guard`,
 * events), kept in step with the server, plus a request context, `ready`
 * and `close`. Create it with `createClient`.
 */
export class NodeFlagClient extends FlagClient {
  private readonly connection: Connection | undefined
  private readonly cache: FileCache | undefined
  private readonly requestContext: RequestContext
  private readonly stopWatching: (() => void) | undefined
  private closing: Promise<void> | undefined

  constructor(options: NodeClientOptions) {
    if (options.url !== undefined && !options.token) {
      throw new FlagSdkError('invalid_options', 'createClient: `token` is required with `url`')
    }
    if (
      options.url === undefined &&
      options.bootstrap === undefined &&
      options.cacheFile === undefined
    ) {
      throw new FlagSdkError(
        'invalid_options',
        'createClient: give a `url` and `token`, or a `bootstrap` snapshot to work offline',
      )
    }
    const requestContext = new RequestContext()
    const logger = options.logger
    const cache =
      options.cacheFile === undefined
        ? undefined
        : new FileCache(options.cacheFile, logger ?? console)
    const clientOptions: FlagClientOptions = {
      contextProvider: () => requestContext.get(),
      sdk: {
        name: '@floodgate/node',
        version: VERSION,
        ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
      },
    }
    const snapshot = newest(cache?.load(), options.bootstrap)
    if (snapshot !== undefined) clientOptions.snapshot = snapshot
    if (options.context !== undefined) clientOptions.context = options.context
    if (logger !== undefined) clientOptions.logger = logger
    if (options.urgentErrors !== undefined) clientOptions.urgentErrors = options.urgentErrors
    super(clientOptions)
    this.requestContext = requestContext
    this.cache = cache
    if (cache !== undefined) {
      this.subscribe((event) => {
        const held = this.getSnapshot()
        if ((event.type === 'ready' || event.type === 'change') && held !== undefined) {
          void cache.save(held)
        }
      })
    }
    if (options.url !== undefined && options.token !== undefined) {
      const settings: ConnectionOptions = {
        streamFetch: unrefFetch,
        ...options.transport,
        url: options.url,
        token: options.token,
      }
      if (options.streaming !== undefined) settings.streaming = options.streaming
      if (options.pollIntervalMs !== undefined) settings.pollIntervalMs = options.pollIntervalMs
      if (options.signalsIntervalMs !== undefined)
        settings.signalsIntervalMs = options.signalsIntervalMs
      if (options.timeoutMs !== undefined) settings.timeoutMs = options.timeoutMs
      if (logger !== undefined) settings.logger = logger
      this.connection = new Connection(this, settings).start()
    }
    this.stopWatching = options.closeOnShutdown === false ? undefined : closeOnShutdown(this)
  }

  /**
   * Resolves with the status once the first sync with the server succeeded
   * (`ready`) or failed (`stale` while serving a cache or bootstrap, `error`
   * with nothing to serve), or when `timeoutMs` passes. Never rejects:
   * network trouble is a status, and evaluation works whatever it is.
   *
   * @example
   * const status = await flags.ready({ timeoutMs: 3000 })
   * if (status.status !== 'ready') logger.warn('flags not current', status)
   */
  async ready(options: ReadyOptions = {}): Promise<ClientStatus> {
    if (this.connection === undefined) return this.getStatus()
    let timer: NodeJS.Timeout | undefined
    // A referenced timer: a process awaiting `ready` must not exit under it.
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs ?? 10_000)
    })
    await Promise.race([this.connection.firstSync, timeout])
    clearTimeout(timer)
    return this.getStatus()
  }

  /** Sends the signals counted so far now. Never rejects. */
  flushSignals(): Promise<void> {
    return this.connection?.flushSignals() ?? Promise.resolve()
  }

  /** Closes the stream, stops polling, flushes signals and the cache. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.stopWatching?.()
      this.closing = (async () => {
        await this.connection?.close()
        await this.cache?.flush()
      })()
    }
    return this.closing
  }

  /**
   * Runs `fn` with `context` as the request context: evaluations inside it,
   * however deep and after however many `await`s, see these attributes.
   *
   * @example
   * await flags.withContext({ userId: job.userId }, () => processJob(job))
   */
  withContext<R>(context: Context, fn: () => R): R {
    return this.requestContext.run(context, fn)
  }

  /**
   * A middleware that sets the request context from each request, for
   * Express (`app.use(mw)`) and Fastify (`app.addHook('onRequest', mw)`).
   *
   * @example
   * app.use(flags.middleware((req) => ({ userId: req.get('x-user-id') })))
   * // …anywhere in the request's code:
   * if (flags.isEnabled('new-checkout')) { … }
   */
  middleware<Request>(
    toContext: (request: Request) => Context | undefined,
  ): ContextMiddleware<Request> {
    return this.requestContext.middleware(toContext)
  }
}

/**
 * A client for Node: evaluates flags locally, streams changes from the
 * server (polling while streaming fails), caches the last good snapshot,
 * flushes signals on shutdown.
 *
 * @example
 * const flags = createClient({ url: 'http://localhost:4242', token: process.env.FLOODGATE_TOKEN })
 * await flags.ready({ timeoutMs: 3000 })
 * if (flags.isEnabled('new-checkout', { userId })) { … }
 */
export function createClient(options: NodeClientOptions): NodeFlagClient {
  return new NodeFlagClient(options)
}

/** The newer of two snapshots (the first when they are of different environments). */
function newest(a: Snapshot | undefined, b: Snapshot | undefined): Snapshot | undefined {
  if (a === undefined) return b
  if (b === undefined || a.environment !== b.environment) return a
  return b.version > a.version ? b : a
}
