import { basicLogger, init, type LDClient } from '@launchdarkly/node-server-sdk'
import { type PushRig, STUB_SERVER_SIDE, until } from './pushRig'
import { sseEvent, startStreamEndpoint } from './streamEndpoint'

const FLAG = 'checkout'
const CONTEXT = { kind: 'user', key: 'probe' }

/** A server-side LaunchDarkly flag that serves `true` when on, `false` when off. */
function flagData(on: boolean, version: number) {
  return {
    key: FLAG,
    version,
    on,
    variations: [true, false],
    fallthrough: { variation: 0 },
    offVariation: 1,
    targets: [],
    contextTargets: [],
    rules: [],
    prerequisites: [],
    salt: FLAG,
    trackEvents: false,
    trackEventsFallthrough: false,
    deleted: false,
  }
}

/**
 * `clients` LaunchDarkly Node server SDKs streaming from a minimal local
 * endpoint of LaunchDarkly's streaming protocol (`GET /all`: a `put` event
 * with every flag, then a `patch` event per change): a floor for what
 * LaunchDarkly's own service (or its Relay Proxy) could deliver.
 */
export async function launchDarklyRig(clients: number): Promise<PushRig> {
  const endpoint = await startStreamEndpoint({
    isStream: (request) => request.url === '/all',
    initial: (on, version) =>
      sseEvent('put', {
        path: '/',
        data: { flags: { [FLAG]: flagData(on, version) }, segments: {} },
      }),
    change: (on, version) =>
      sseEvent('patch', { path: `/flags/${FLAG}`, data: flagData(on, version) }),
  })
  const { url } = endpoint
  const sdks: LDClient[] = Array.from({ length: clients }, () =>
    init('sdk-push-benchmark', {
      streamUri: url,
      baseUri: url,
      eventsUri: url,
      sendEvents: false,
      diagnosticOptOut: true,
      logger: basicLogger({ level: 'warn' }),
    }),
  )
  await Promise.all(sdks.map((sdk) => sdk.waitForInitialization({ timeout: 10 })))
  return {
    name: 'LaunchDarkly',
    packageName: '@launchdarkly/node-server-sdk',
    serverSide: STUB_SERVER_SIDE,
    change: () => endpoint.change(),
    watch: (value) =>
      sdks.map((sdk) =>
        until(
          async () => (await sdk.variation(FLAG, CONTEXT, !value)) === value,
          (listener) => {
            sdk.on(`update:${FLAG}`, listener)
            return () => sdk.off(`update:${FLAG}`, listener)
          },
        ),
      ),
    async close() {
      for (const sdk of sdks) sdk.close()
      await endpoint.close()
    },
  }
}
