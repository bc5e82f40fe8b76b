import { FloodgateServerProvider } from '@floodgate/openfeature/server'
import { type EvaluationContext, OpenFeature, ProviderEvents } from '@openfeature/server-sdk'

/** Where the service's flags come from. */
export interface CheckoutServiceOptions {
  /** The Floodgate server, e.g. `http://localhost:4242`. */
  url: string
  /** A server SDK token (`fg_server_…`) of the environment to serve. */
  token: string
  /** Where the service reports what it sees. Default: `console.log`. */
  log?: (line: string) => void
}

/** A checkout that codes against OpenFeature only; Floodgate is the provider. */
export interface CheckoutService {
  /** Serves one checkout for `userId`; `fail` makes the new checkout throw, as a bug would. */
  checkout(userId: string, options?: { fail?: boolean }): Promise<'new' | 'legacy'>
  close(): Promise<void>
}

/**
 * Sets Floodgate as OpenFeature's provider and returns a checkout behind the
 * flag `new-checkout`. Outcomes go through `track()`: a failed new checkout
 * is an error of the variant that user was served, which is what a staged
 * rollout compares between treatment and control.
 */
export async function startCheckoutService(
  options: CheckoutServiceOptions,
): Promise<CheckoutService> {
  const log = options.log ?? console.log
  const provider = new FloodgateServerProvider({
    url: options.url,
    token: options.token,
    trackedEvents: {
      'checkout-completed': { flags: ['new-checkout'], outcome: 'success' },
      'checkout-failed': { flags: ['new-checkout'], outcome: 'error' },
    },
  })
  OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (event) => {
    const changed = (event as { flagsChanged?: string[] } | undefined)?.flagsChanged ?? []
    log(`configuration changed: ${changed.join(', ')}`)
  })
  OpenFeature.addHandler(ProviderEvents.Stale, (event) => log(`stale: ${event?.message ?? ''}`))
  await OpenFeature.setProviderAndWait(provider)
  const flags = OpenFeature.getClient('checkout')

  return {
    async checkout(userId, { fail = false } = {}) {
      const context: EvaluationContext = { targetingKey: userId }
      const details = await flags.getBooleanDetails('new-checkout', false, context)
      if (!details.value) return 'legacy'
      const started = performance.now()
      try {
        if (fail) throw new Error('new checkout failed')
        flags.track('checkout-completed', context, { latencyMs: performance.now() - started })
        return 'new'
      } catch {
        flags.track('checkout-failed', context)
        return 'legacy'
      }
    },
    async close() {
      await OpenFeature.close()
      OpenFeature.clearHandlers()
    },
  }
}
