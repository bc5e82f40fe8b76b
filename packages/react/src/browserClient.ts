import {
  Connection,
  type ConnectionOptions,
  type Context,
  FlagClient,
  type FlagClientOptions,
  FlagSdkError,
  type Logger,
  type Snapshot,
  validateSnapshot,
} from '@floodgate/core'
import { watchPage } from './pageLifecycle'
import { VERSION } from './version'
import { defaultStorage, type SnapshotStorageBackend, WebStorageCache } from './webStorageCache'

/** Options of `createBrowserClient` and `<FlagProvider options>`. `url` and `token` are required. */
export interface BrowserClientOptions {
  /** The Floodgate server, e.g. `https://flags.example.com` (or `location.origin` behind a proxy). */
  url: string
  /** A `client` SDK token (`fg_client_…`): it sees only the flags marked `clientSide`. */
  token: string
  /** Attributes under every evaluation (the lowest layer, e.g. `{ sessionId }`). Default: none. */
  context?: Context
  /**
   * A snapshot to serve from the first render, e.g. the one a server render
   * used. With a bootstrap the cache is not read at start, so the first
   * render equals the server's; it is still written. Default: none.
   */
  bootstrap?: Snapshot
  /**
   * Keep the last good snapshot in `localStorage` under this key, and serve
   * it at start until the server answers. `false` turns the cache off.
   * Default: a key made of `url` and the token's last 8 characters.
   */
  cache?: string | false
  /** Where the cache lives. Default: `localStorage`, when the page has one. */
  storage?: SnapshotStorageBackend
  /** Keep a stream open for instant updates (falls back to polling while it fails). `false` polls only. Default `true`. */
  streaming?: boolean
  /** Time between two polls when polling, in ms; polling pauses while the page is hidden. Default 15000. */
  pollIntervalMs?: number
  /** Time between two signals batches, in ms (urgent batches go at once, and a batch goes when the page is hidden). Default 10000. */
  signalsIntervalMs?: number
  /** Where warnings go (failures, a corrupt cache). Default: `console`. */
  logger?: Logger
  /** Treatment errors in one window that send signals at once. Default 10. */
  urgentErrors?: number
  /** This page in signals batches. Default: a random id per client. */
  instanceId?: string
  /** Finer transport settings (backoff, heartbeat timeout, `fetch`, …); see `ConnectionOptions`. */
  transport?: Omit<Partial<ConnectionOptions>, 'url' | 'token'>
}

/**
 * The browser SDK's client: everything `FlagClient` does, kept in step with
 * the server while started. Signals go with `fetch(…, { keepalive: true })`
 * and are flushed when the page is hidden (`navigator.sendBeacon` cannot
 * send the `Authorization` header a token needs); polling pauses while the
 * page is hidden and polls at once when it is shown again. The stream stays
 * open in a hidden page, so a kill reaches it before it is seen again.
 *
 * Create it with `createBrowserClient`, or let `<FlagProvider options>` own one.
 */
export class BrowserFlagClient extends FlagClient {
  private readonly settings: ConnectionOptions
  private readonly storage: WebStorageCache<Snapshot> | undefined
  private connection: Connection | undefined
  private stopping: Promise<void> | undefined
  private detach: (() => void) | undefined

  constructor(options: BrowserClientOptions) {
    if (!options.url || !options.token) {
      throw new FlagSdkError(
        'invalid_options',
        'createBrowserClient: `url` and `token` (a client token, fg_client_…) are required',
      )
    }
    const logger = options.logger
    const storage = snapshotStorage(options, logger)
    const clientOptions: FlagClientOptions = {
      sdk: {
        name: '@floodgate/react',
        version: VERSION,
        ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
      },
    }
    const snapshot = options.bootstrap ?? storage?.load()
    if (snapshot !== undefined) clientOptions.snapshot = snapshot
    if (options.context !== undefined) clientOptions.context = options.context
    if (logger !== undefined) clientOptions.logger = logger
    if (options.urgentErrors !== undefined) clientOptions.urgentErrors = options.urgentErrors
    super(clientOptions)
    this.storage = storage
    const settings: ConnectionOptions = {
      signalsKeepalive: true,
      ...options.transport,
      url: options.url,
      token: options.token,
    }
    if (options.streaming !== undefined) settings.streaming = options.streaming
    if (options.pollIntervalMs !== undefined) settings.pollIntervalMs = options.pollIntervalMs
    if (options.signalsIntervalMs !== undefined)
      settings.signalsIntervalMs = options.signalsIntervalMs
    if (logger !== undefined) settings.logger = logger
    this.settings = settings
  }

  /** Is it connected (started and not stopped)? */
  get started(): boolean {
    return this.connection !== undefined
  }

  /**
   * Connects: streams (or polls) and sends signals until `stop`. Waits for a
   * `stop` under way, so a remount (React's strict mode) reconnects cleanly.
   * Idempotent. Returns the client.
   */
  start(): this {
    if (this.connection !== undefined) return this
    const connection = new Connection(this, this.settings)
    this.connection = connection
    const offCache = this.storage === undefined ? undefined : this.cacheChanges(this.storage)
    const offPage = watchPage(connection)
    this.detach = () => {
      offCache?.()
      offPage()
    }
    const begin = () => {
      if (this.connection === connection) connection.start()
    }
    if (this.stopping === undefined) begin()
    else void this.stopping.then(begin)
    return this
  }

  /** Closes the stream, stops polling and flushes the signals. `start` connects again. Never rejects. */
  stop(): Promise<void> {
    const connection = this.connection
    if (connection === undefined) return this.stopping ?? Promise.resolve()
    this.connection = undefined
    this.detach?.()
    this.detach = undefined
    const stopping = connection.close().finally(() => {
      if (this.stopping === stopping) this.stopping = undefined
    })
    this.stopping = stopping
    return stopping
  }

  /**
   * Resolves once the first sync with the server after `start` succeeded or
   * failed (never rejects); at once when not started.
   */
  async ready(): Promise<void> {
    await this.connection?.firstSync
  }

  /** Sends the signals counted so far now. Never rejects. */
  flushSignals(): Promise<void> {
    return this.connection?.flushSignals() ?? Promise.resolve()
  }

  private cacheChanges(storage: WebStorageCache<Snapshot>): () => void {
    return this.subscribe((event) => {
      const held = this.getSnapshot()
      if ((event.type === 'ready' || event.type === 'change') && held !== undefined) {
        storage.save(held)
      }
    })
  }
}

/**
 * A started browser client: it serves the cached (or bootstrap) snapshot at
 * once, then streams changes from the server.
 *
 * @example
 * const client = createBrowserClient({ url: 'https://flags.example.com', token: 'fg_client_…' })
 * createRoot(root).render(<FlagProvider client={client}><App /></FlagProvider>)
 */
export function createBrowserClient(options: BrowserClientOptions): BrowserFlagClient {
  return new BrowserFlagClient(options).start()
}

function snapshotStorage(
  options: BrowserClientOptions,
  logger: Logger | undefined,
): WebStorageCache<Snapshot> | undefined {
  if (options.cache === false) return undefined
  const backend = options.storage ?? defaultStorage()
  if (backend === undefined) return undefined
  const key = options.cache ?? `floodgate:snapshot:${options.url}:${options.token.slice(-8)}`
  return new WebStorageCache(backend, key, SNAPSHOT_CODEC, logger ?? console)
}

const SNAPSHOT_CODEC = {
  check(json: unknown): Snapshot | undefined {
    const parsed = validateSnapshot(json)
    return parsed.success ? parsed.data : undefined
  },
  versionOf: (snapshot: Snapshot) => `${snapshot.environment}@${snapshot.version}`,
}
