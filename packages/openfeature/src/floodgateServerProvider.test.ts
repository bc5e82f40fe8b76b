import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, FlagSdkError, type NodeClientOptions } from '@floodgate/node'
import { type JsonValue, OpenFeature, type ProviderEvents } from '@openfeature/server-sdk'
import { afterAll, describe, expect, it } from 'vitest'
import { FloodgateServerProvider } from './floodgateServerProvider'
import { type Harness, type ProviderSetup, providerContract } from './testUtils/providerContract'
import { recordingLogger } from './testUtils/recordingLogger'

const cacheDir = mkdtempSync(join(tmpdir(), 'floodgate-openfeature-cache-'))
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }))

/** Quick retries, so outages and recoveries take milliseconds. */
const QUICK = {
  closeOnShutdown: false,
  pollIntervalMs: 100,
  transport: { reconnect: { initialMs: 10, maxMs: 100 }, fetchRetries: 0, streamRetryMs: 200 },
} satisfies Partial<NodeClientOptions>

/** Each provider gets a domain of its own; the harness speaks to the last one's. */
let domain = ''
let serial = 0
const domains = new WeakMap<FloodgateServerProvider, string>()
const domainOf = (provider: FloodgateServerProvider) => {
  const known = domains.get(provider)
  if (known !== undefined) return known
  domain = `test-${++serial}`
  domains.set(provider, domain)
  return domain
}
const client = () => OpenFeature.getClient(domain)

function makeProvider(setup: ProviderSetup): FloodgateServerProvider {
  const options: NodeClientOptions = {
    ...QUICK,
    url: setup.url,
    token: setup.token,
    logger: setup.logger ?? recordingLogger(),
    ...(setup.cache === undefined ? {} : { cacheFile: join(cacheDir, `${setup.cache}.json`) }),
  }
  const own = {
    readyTimeoutMs: 5000,
    ...(setup.logger === undefined ? {} : { logger: setup.logger }),
    ...(setup.trackedEvents === undefined ? {} : { trackedEvents: setup.trackedEvents }),
  }
  // With a bootstrap, the provider is given a client rather than making one.
  return setup.bootstrap === undefined
    ? new FloodgateServerProvider({ ...options, ...own })
    : new FloodgateServerProvider({
        client: createClient({ ...options, bootstrap: setup.bootstrap }),
        ...own,
      })
}

const harness: Harness<FloodgateServerProvider> = {
  scope: 'server',
  provider(setup) {
    const provider = makeProvider(setup)
    domainOf(provider)
    return provider
  },
  set: (provider) => OpenFeature.setProviderAndWait(domainOf(provider), provider),
  evaluate(type, flagKey, defaultValue, context) {
    switch (type) {
      case 'boolean':
        return client().getBooleanDetails(flagKey, defaultValue as boolean, context)
      case 'string':
        return client().getStringDetails(flagKey, defaultValue as string, context)
      case 'number':
        return client().getNumberDetails(flagKey, defaultValue as number, context)
      case 'object':
        return client().getObjectDetails(flagKey, defaultValue as JsonValue, context)
    }
  },
  async track(name, context, details) {
    client().track(name, context, details)
  },
  on(event, handler) {
    client().addHandler(event as ProviderEvents, handler)
  },
  status: () => client().providerStatus,
  close: () => OpenFeature.close(),
}

describe('FloodgateServerProvider', () => {
  providerContract(harness)

  it('should refuse options it cannot use, with a code', () => {
    const options = { url: 'http://127.0.0.1:1', token: 'fg_server_x', closeOnShutdown: false }
    expect(() => new FloodgateServerProvider({ ...options, targetingKeyAttribute: '' })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringMatching(/targetingKeyAttribute/),
      }),
    )
    expect(
      () =>
        new FloodgateServerProvider({
          ...options,
          trackedEvents: { 'checkout-failed': { flags: [] } },
        }),
    ).toThrow(FlagSdkError)
    expect(() => new FloodgateServerProvider({ url: 'http://127.0.0.1:1' })).toThrow(
      /`token` is required/,
    )
  })
})
