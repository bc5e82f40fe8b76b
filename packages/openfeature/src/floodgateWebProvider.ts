import type { ClientStatus } from '@floodgate/core'
import { type BrowserClientOptions, BrowserFlagClient } from '@floodgate/react/browser'
import {
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
} from '@openfeature/web-sdk'
import type { BridgedEvent } from './eventBridge'
import { FloodgateProvider, type ProviderOptions } from './floodgateProvider'

/**
 * Options of `FloodgateWebProvider`: the browser client's (`url`, a client
 * `token`, …) to create its client, or a `client` of `@floodgate/react`; and
 * the provider's own.
 */
export type FloodgateWebProviderOptions = ProviderOptions &
  ({ client: BrowserFlagClient } | BrowserClientOptions)

/**
 * Floodgate as an OpenFeature web provider (`@openfeature/web-sdk`, and
 * through it `@openfeature/react-sdk`): a browser client streams the flags a
 * client token may see and evaluates them in the page, so a context change
 * needs no request and a kill reaches the page within a second.
 *
 * The provider owns its client (given or created): `initialize` starts it,
 * `onClose` stops it, flushing its signals.
 *
 * @example
 * await OpenFeature.setProviderAndWait(
 *   new FloodgateWebProvider({ url: 'https://flags.example.com', token: 'fg_client_…' }),
 * )
 * await OpenFeature.setContext({ targetingKey: user.id, plan: user.plan })
 * const showNewCheckout = OpenFeature.getClient().getBooleanValue('new-checkout', false)
 */
export class FloodgateWebProvider extends FloodgateProvider<BrowserFlagClient> implements Provider {
  readonly metadata = { name: 'floodgate-web' } as const
  readonly runsOn = 'client'
  readonly events = new OpenFeatureEventEmitter()

  constructor(options: FloodgateWebProviderOptions) {
    super(() => ('client' in options ? options.client : new BrowserFlagClient(options)), options)
  }

  /**
   * Nothing to fetch: the page holds every flag it may see and evaluates
   * each for the new context, so a context change is settled at once, with
   * no `RECONCILING`. A context Floodgate cannot read is reported as it is
   * set (`PROVIDER_ERROR`, and `INVALID_CONTEXT` on each evaluation until
   * the context is fixed).
   */
  onContextChange(
    _oldContext: EvaluationContext,
    newContext: EvaluationContext,
  ): Promise<void> | undefined {
    try {
      this.checkContext(newContext)
      // After this returns the SDK sets READY; a provider that is STALE or in ERROR says so again.
      queueMicrotask(() => this.bridge.reassert())
      return undefined
    } catch (error) {
      // Rejected, not thrown: the SDK counts pending changes only for a promise, and a
      // synchronous throw leaves its count below zero, silencing every later context event.
      return Promise.reject(error)
    }
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): ResolutionDetails<boolean> {
    return this.resolve(flagKey, defaultValue, context)
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): ResolutionDetails<string> {
    return this.resolve(flagKey, defaultValue, context)
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): ResolutionDetails<number> {
    return this.resolve(flagKey, defaultValue, context)
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    return this.resolve(flagKey, defaultValue, context)
  }

  protected async connect(): Promise<ClientStatus> {
    await this.client.start().ready()
    return this.client.getStatus()
  }

  protected disconnect(): Promise<void> {
    return this.client.stop()
  }

  protected raise(event: BridgedEvent): void {
    if (event.type === 'configurationChanged') {
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: event.flagsChanged })
    } else if (event.type === 'ready') {
      this.events.emit(ProviderEvents.Ready)
    } else {
      const type = event.type === 'stale' ? ProviderEvents.Stale : ProviderEvents.Error
      this.events.emit(type, { message: event.message })
    }
  }
}
