import type { FlagClient, FlagClientEvent } from '@floodgate/core'

/** A provider event the bridge raises, in the SDK-neutral terms both providers map to their SDK's enum. */
export type BridgedEvent =
  | { type: 'ready' }
  | { type: 'stale'; message: string }
  | { type: 'error'; message: string }
  | { type: 'configurationChanged'; flagsChanged: string[] }

/** Where the provider stands as far as the OpenFeature SDK was told. */
export type BridgedState = 'ready' | 'stale' | 'error'

/**
 * Turns a Floodgate client's events into OpenFeature provider events once the
 * SDK knows the outcome of `initialize` (which raises the first `READY` or
 * `ERROR` itself):
 *
 * - `change` → `PROVIDER_CONFIGURATION_CHANGED` with `flagsChanged` (a
 *   configuration change, a kill, a deletion, a local guard trip);
 * - `stale` → `PROVIDER_STALE`, once per spell (a stream that cannot
 *   reconnect retries many times);
 * - `error` while the client holds no snapshot → `PROVIDER_ERROR`, once per
 *   spell (with a snapshot, an error is a `stale` spell);
 * - `ready` after one of those → `PROVIDER_READY`.
 */
export class EventBridge {
  private state: BridgedState = 'ready'
  private message = ''
  private unsubscribe: (() => void) | undefined
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly client: FlagClient,
    private readonly emit: (event: BridgedEvent) => void,
  ) {}

  /**
   * Starts forwarding from `state`, what `initialize` told the SDK. `stale`
   * (serving a cache while the server is unreachable) is raised just after
   * the SDK's own `READY`: it sets `READY` when `initialize` resolves, after
   * anything raised before, so a `STALE` raised during `initialize` would
   * be overwritten.
   */
  start(state: BridgedState, message = ''): void {
    this.stop()
    this.state = state === 'stale' ? 'ready' : state
    this.message = message
    this.unsubscribe = this.client.subscribe((event) => this.forward(event))
    if (state === 'stale') {
      this.timer = setTimeout(() => {
        this.timer = undefined
        const status = this.client.getStatus()
        if (status.status === 'stale') this.raise('stale', staleMessage(status.error?.message))
      }, 0)
    }
  }

  /**
   * Raises the current state again unless it is `ready`: the web SDK sets
   * `READY` after every context change, whatever the provider's state.
   */
  reassert(): void {
    if (this.unsubscribe === undefined || this.state === 'ready') return
    const state = this.state
    this.state = 'ready'
    this.raise(state, this.message)
  }

  /** Stops forwarding. */
  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private forward(event: FlagClientEvent): void {
    switch (event.type) {
      case 'change':
        this.emit({ type: 'configurationChanged', flagsChanged: [...event.flagKeys] })
        return
      case 'ready':
        this.raise('ready')
        return
      case 'stale':
        this.raise(
          'stale',
          event.cause === 'gap'
            ? 'a change was missed; fetching the snapshot again'
            : staleMessage(event.error?.message),
        )
        return
      case 'error':
        // Listener failures come as `error` events too; only a client with nothing to serve is in error.
        if (this.client.getStatus().status === 'error') this.raise('error', event.error.message)
        return
      case 'localGuardTrip':
        // The `change` that follows names the flag.
        return
    }
  }

  private raise(state: BridgedState, message = ''): void {
    if (this.state === state) return
    this.state = state
    this.message = message
    if (state === 'ready') this.emit({ type: 'ready' })
    else this.emit({ type: state, message })
  }
}

function staleMessage(cause: string | undefined): string {
  return `serving the last configuration received: ${cause ?? 'the server cannot be reached'}`
}
