import { isDeepStrictEqual } from 'node:util'
import { unrefFetch } from '@floodgate/node'
import { type BrowserClientOptions, BrowserFlagClient } from '@floodgate/react/browser'
import {
  type EvaluationContext,
  type JsonValue,
  OpenFeature,
  type ProviderEvents,
} from '@openfeature/web-sdk'
import { describe, expect, it, vi } from 'vitest'
import { FloodgateWebProvider } from './floodgateWebProvider'
import { LiveServer } from './testUtils/liveServer'
import { memoryStorage } from './testUtils/memoryStorage'
import { type Harness, type ProviderSetup, providerContract } from './testUtils/providerContract'
import { recordingLogger } from './testUtils/recordingLogger'
import { seedFlags } from './testUtils/seed'

/**
 * Quick retries, so outages and recoveries take milliseconds. In Node the
 * page's stream goes over `node:http` as the Node SDK's does: an undici
 * stream aborted by `stop()` holds the server's close for undici's
 * keep-alive timeout (4 s).
 */
const QUICK = {
  pollIntervalMs: 100,
  transport: {
    reconnect: { initialMs: 10, maxMs: 100 },
    fetchRetries: 0,
    streamRetryMs: 200,
    streamFetch: unrefFetch,
  },
} satisfies Partial<BrowserClientOptions>

/** A page's Web Storage per cache name, kept across the providers of one test. */
const storages = new Map<string, ReturnType<typeof memoryStorage>>()
const storageFor = (name: string) => {
  const storage = storages.get(name) ?? memoryStorage()
  storages.set(name, storage)
  return storage
}

/** What the SDK logs (a context change handler that failed), kept from the test output. */
const sdkLog: string[] = []
OpenFeature.setLogger({
  error: (...args: unknown[]) => sdkLog.push(String(args[0])),
  warn: (...args: unknown[]) => sdkLog.push(String(args[0])),
  info: () => {},
  debug: () => {},
})

/** Each provider gets a domain of its own; the harness speaks to the last one's. */
let domain = ''
let serial = 0
const domains = new WeakMap<FloodgateWebProvider, string>()
const domainOf = (provider: FloodgateWebProvider) => {
  const known = domains.get(provider)
  if (known !== undefined) return known
  domain = `test-${++serial}`
  domains.set(provider, domain)
  return domain
}
const client = () => OpenFeature.getClient(domain)

/** The context of the contract's event tests, set before each provider. */
const PAGE_USER = { targetingKey: 'user-1' }

/** Sets the domain's static context, unless it equals the one set (a change resets the status to READY). */
async function setContext(context: EvaluationContext): Promise<void> {
  if (!sameContext(OpenFeature.getContext(domain), context)) {
    await OpenFeature.setContext(domain, context)
  }
}

function sameContext(a: EvaluationContext, b: EvaluationContext): boolean {
  try {
    return isDeepStrictEqual(a, b)
  } catch {
    return false
  }
}

function makeProvider(setup: ProviderSetup): FloodgateWebProvider {
  const options: BrowserClientOptions = {
    ...QUICK,
    url: setup.url,
    token: setup.token,
    logger: setup.logger ?? recordingLogger(),
    ...(setup.cache === undefined
      ? { cache: false }
      : { cache: setup.cache, storage: storageFor(setup.cache) }),
  }
  const own = {
    ...(setup.logger === undefined ? {} : { logger: setup.logger }),
    ...(setup.trackedEvents === undefined ? {} : { trackedEvents: setup.trackedEvents }),
  }
  // With a bootstrap, the provider is given a client rather than making one.
  return setup.bootstrap === undefined
    ? new FloodgateWebProvider({ ...options, ...own })
    : new FloodgateWebProvider({
        client: new BrowserFlagClient({ ...options, bootstrap: setup.bootstrap }),
        ...own,
      })
}

const harness: Harness<FloodgateWebProvider> = {
  scope: 'client',
  provider(setup) {
    const provider = makeProvider(setup)
    domainOf(provider)
    return provider
  },
  async set(provider) {
    // The page's user from the start, so that evaluating for it changes no context.
    await OpenFeature.setContext(domainOf(provider), PAGE_USER)
    await OpenFeature.setProviderAndWait(domainOf(provider), provider)
  },
  async evaluate(type, flagKey, defaultValue, context) {
    await setContext(context)
    switch (type) {
      case 'boolean':
        return client().getBooleanDetails(flagKey, defaultValue as boolean)
      case 'string':
        return client().getStringDetails(flagKey, defaultValue as string)
      case 'number':
        return client().getNumberDetails(flagKey, defaultValue as number)
      case 'object':
        return client().getObjectDetails(flagKey, defaultValue as JsonValue)
    }
  },
  async track(name, context, details) {
    await setContext(context)
    client().track(name, details)
  },
  on(event, handler) {
    client().addHandler(event as ProviderEvents, handler)
  },
  status: () => client().providerStatus,
  close: () => OpenFeature.close(),
}

describe('FloodgateWebProvider', () => {
  providerContract(harness)

  describe('in a page', () => {
    it('should follow context changes without a request, and not see server-side flags', async () => {
      const live = await LiveServer.start()
      try {
        await seedFlags(live)
        let requests = 0
        const counting =
          (base: typeof fetch): typeof fetch =>
          (input, init) => {
            requests++
            return base(input, init)
          }
        const provider = new FloodgateWebProvider({
          url: live.url,
          token: await live.token('client'),
          cache: false,
          logger: recordingLogger(),
          transport: {
            ...QUICK.transport,
            fetch: counting(fetch),
            streamFetch: counting(unrefFetch),
          },
        })
        await harness.set(provider)
        const events: string[] = []
        for (const event of ['PROVIDER_CONTEXT_CHANGED', 'PROVIDER_RECONCILING'] as const) {
          client().addHandler(event as ProviderEvents, () => events.push(event))
        }
        const before = requests

        await OpenFeature.setContext(domain, { targetingKey: 'user-1' })
        expect(client().getBooleanDetails('new-checkout', false)).toMatchObject({
          value: true,
          variant: 'on',
        })
        await OpenFeature.setContext(domain, { targetingKey: 'alice@example.com' })
        expect(client().getBooleanDetails('new-checkout', true)).toMatchObject({
          value: false,
          variant: 'off',
        })
        expect(events).toEqual(['PROVIDER_CONTEXT_CHANGED', 'PROVIDER_CONTEXT_CHANGED'])
        expect(requests).toBe(before)

        // A client token sees only the flags marked clientSide.
        expect(client().getBooleanDetails('internal-tool', false)).toMatchObject({
          value: false,
          reason: 'ERROR',
          errorCode: 'FLAG_NOT_FOUND',
        })
      } finally {
        await OpenFeature.close()
        await live.dispose()
      }
    })

    it('should report a context it cannot read as it is set, and recover with the next one', async () => {
      const live = await LiveServer.start()
      try {
        await seedFlags(live)
        await harness.set(
          new FloodgateWebProvider({
            url: live.url,
            token: await live.token('client'),
            cache: false,
            logger: recordingLogger(),
            ...QUICK,
          }),
        )
        const errors: (string | undefined)[] = []
        client().addHandler('PROVIDER_ERROR' as ProviderEvents, (details) =>
          errors.push(details?.message),
        )

        await OpenFeature.setContext(domain, { targetingKey: 'user-1', devices: [{ id: 'phone' }] })
        expect(client().providerStatus).toBe('ERROR')
        expect(errors).toEqual([expect.stringContaining('invalid context: attribute "devices"')])
        expect(sdkLog.at(-1)).toContain('invalid context: attribute "devices"')
        expect(client().getBooleanDetails('new-checkout', false)).toMatchObject({
          errorCode: 'INVALID_CONTEXT',
        })

        await OpenFeature.setContext(domain, { targetingKey: 'user-1' })
        expect(client().providerStatus).toBe('READY')
        expect(client().getBooleanDetails('new-checkout', false)).toMatchObject({ value: true })
      } finally {
        await OpenFeature.close()
        await live.dispose()
      }
    })
  })
})

vi.setConfig({ testTimeout: 30_000 })
