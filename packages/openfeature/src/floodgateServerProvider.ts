import {
  type ClientStatus,
  createClient,
  type NodeClientOptions,
  type NodeFlagClient,
} from '@floodgate/node'
import {
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
} from '@openfeature/server-sdk'
import type { BridgedEvent } from './eventBridge'
import { FloodgateProvider, type ProviderOptions } from './floodgateProvider'

/**
 * Options of `FloodgateServerProvider`: the Node SDK's (`url`, `token`, …)
 * to create its client, or a `client` made with `createClient`; and the
 * provider's own.
 */
export type FloodgateServerProviderOptions = ProviderOptions & {
  /** The longest `initialize` waits for the server, in ms. Default 10000. */
  readyTimeoutMs?: number
} & ({ client: NodeFlagClient } | NodeClientOptions)

/**
 * Floodgate as an OpenFeature server provider (`@openfeature/server-sdk`):
 * flags are evaluated in process by a Node SDK client that streams the
 * configuration, so no evaluation waits on the network.
 *
 * The provider owns its client (given or created): `onClose` closes it.
 *
 * @example
 * await OpenFeature.setProviderAndWait(
 *   new FloodgateServerProvider({ url: 'http://localhost:4242', token: process.env.FLOODGATE_TOKEN }),
 * )
 * const flags = OpenFeature.getClient()
 * if (await flags.getBooleanValue('new-checkout', false, { targetingKey: userId })) { … }
 */
export class FloodgateServerProvider extends FloodgateProvider<NodeFlagClient> implements Provider {
  readonly metadata = { name: 'floodgate-server' } as const
  readonly runsOn = 'server'
  readonly events = new OpenFeatureEventEmitter()
  private readonly readyTimeoutMs: number

  constructor(options: FloodgateServerProviderOptions) {
    super(() => ('client' in options ? options.client : createClient(options)), options)
    this.readyTimeoutMs = options.readyTimeoutMs ?? 10_000
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context))
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context))
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context))
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.resolve(flagKey, defaultValue, context))
  }

  protected connect(): Promise<ClientStatus> {
    return this.client.ready({ timeoutMs: this.readyTimeoutMs })
  }

  protected disconnect(): Promise<void> {
    return this.client.close()
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
