import {
  type Context,
  checkEvaluation,
  type Evaluation,
  type Logger,
  RemoteFlagClient,
  type RemoteFlagClientOptions,
  sameAttributes,
} from '@floodgate/core'
import { watchPage } from './pageLifecycle'
import { VERSION } from './version'
import { defaultStorage, type SnapshotStorageBackend, WebStorageCache } from './webStorageCache'

/** Options of `createRemoteBrowserClient` and `<FlagProvider options>`. `url` and `token` are required. */
export interface RemoteBrowserClientOptions
  extends Omit<RemoteFlagClientOptions, 'sdk' | 'signalsKeepalive'> {
  /**
   * Keep the last evaluation in `localStorage` under this key, with the
   * context it was made for, and serve it at start (for the same context
   * only) until the server answers. `false` turns the cache off. Default: a
   * key made of `url` and the token's last 8 characters.
   */
  cache?: string | false
  /** Where the cache lives. Default: `localStorage`, when the page has one. */
  storage?: SnapshotStorageBackend
  /** This page in signals batches. Default: a random id per client. */
  instanceId?: string
}

/** What the cache holds: an evaluation and the context it was made for. */
interface CachedEvaluation {
  context: Context
  evaluation: Evaluation
}

/**
 * The browser's default client: the server evaluates the client-side flags
 * for the page's context (`RemoteFlagClient`), so the page carries neither
 * the evaluator nor the rules, and the bundle stays small. On top of it,
 * what a page needs: a `localStorage` cache of the last evaluation for an
 * offline start, signals sent with `keepalive` and flushed when the page is
 * hidden, and polling paused in a hidden tab (the stream stays open, so a
 * kill reaches a hidden page before it is seen again).
 *
 * Create it with `createRemoteBrowserClient`, or let `<FlagProvider options>`
 * own one. For local evaluation in the page (many contexts per page, or no
 * round trip when the context changes), use `createBrowserClient`.
 */
export class RemoteBrowserClient extends RemoteFlagClient {
  #detach: (() => void) | undefined
  #storage: WebStorageCache<CachedEvaluation> | undefined

  constructor(options: RemoteBrowserClientOptions) {
    const storage = evaluationStorage(options)
    const context = options.context ?? {}
    const cached =
      options.bootstrap === undefined ? storage?.load() : { context, evaluation: options.bootstrap }
    const { cache: _cache, storage: _storage, bootstrap: _bootstrap, instanceId, ...rest } = options
    const settings: RemoteFlagClientOptions = {
      ...rest,
      signalsKeepalive: true,
      sdk: {
        name: '@floodgate/react',
        version: VERSION,
        ...(instanceId === undefined ? {} : { instanceId }),
      },
    }
    // A cache made for another context (another user signed in since) is not served.
    if (cached !== undefined && sameAttributes(cached.context, context)) {
      settings.bootstrap = cached.evaluation
    }
    super(settings)
    this.#storage = storage
    this.subscribe((event) => {
      if (event.type === 'ready' || event.type === 'change') this.#save()
    })
  }

  override async identify(context: Context): Promise<void> {
    const held = this.getEvaluation()
    await super.identify(context)
    // A new context whose flags all equal the old ones emits no change, yet
    // its evaluation is saved for it; a failed one leaves the old evaluation
    // held, which must not be cached under the new context.
    if (this.getEvaluation() !== held && sameAttributes(this.getContext(), context)) this.#save()
  }

  override start(): this {
    if (this.started) return this
    super.start()
    this.#detach = watchPage(this)
    return this
  }

  override stop(): Promise<void> {
    this.#detach?.()
    this.#detach = undefined
    return super.stop()
  }

  #save(): void {
    const evaluation = this.getEvaluation()
    if (evaluation !== undefined) this.#storage?.save({ context: this.getContext(), evaluation })
  }
}

/**
 * A started remote browser client: it serves the cached (or bootstrap)
 * evaluation at once, then streams changes from the server.
 *
 * @example
 * const client = createRemoteBrowserClient({ url, token: 'fg_client_…', context: { userId } })
 * createRoot(root).render(<FlagProvider client={client}><App /></FlagProvider>)
 */
export function createRemoteBrowserClient(
  options: RemoteBrowserClientOptions,
): RemoteBrowserClient {
  return new RemoteBrowserClient(options).start()
}

function evaluationStorage(
  options: RemoteBrowserClientOptions,
): WebStorageCache<CachedEvaluation> | undefined {
  if (options.cache === false || !options.url || !options.token) return undefined
  const backend = options.storage ?? defaultStorage()
  if (backend === undefined) return undefined
  const key = options.cache ?? `floodgate:evaluation:${options.url}:${options.token.slice(-8)}`
  const logger: Logger = options.logger ?? console
  return new WebStorageCache(backend, key, EVALUATION_CODEC, logger)
}

const EVALUATION_CODEC = {
  check(json: unknown): CachedEvaluation | undefined {
    if (typeof json !== 'object' || json === null) return undefined
    const { context, evaluation } = json as Partial<CachedEvaluation>
    if (typeof context !== 'object' || context === null || Array.isArray(context)) return undefined
    const checked = checkEvaluation(evaluation)
    return checked.success ? { context, evaluation: checked.data } : undefined
  },
  versionOf: ({ context, evaluation }: CachedEvaluation) =>
    `${evaluation.environment}@${evaluation.version}:${JSON.stringify(context)}`,
}
