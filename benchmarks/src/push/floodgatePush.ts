import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient, type NodeFlagClient } from '@floodgate/node'
import { createTokenSecret, startServer } from '@floodgate/server'
import { type PushRig, STUB_SERVER_SIDE, until } from './pushRig'
import { sseEvent, startStreamEndpoint } from './streamEndpoint'

const FLAG = 'checkout'
const silent = { warn: () => {}, error: () => {} }

/** Every client serves the new value of the flag, each one checked after its `change` events. */
function watchClients(sdks: readonly NodeFlagClient[]): PushRig['watch'] {
  return (value) =>
    sdks.map((sdk) =>
      until(
        () => sdk.isEnabled(FLAG, { userId: 'probe' }) === value,
        (listener) => sdk.on('change', listener),
      ),
    )
}

/** A boolean flag of Floodgate's snapshot: served `on` unless killed. */
function snapshotFlag(on: boolean, version: number) {
  return {
    key: FLAG,
    kind: 'boolean',
    version,
    variants: { on: true, off: false },
    offVariant: 'off',
    enabled: true,
    killed: !on,
    salt: FLAG,
    rules: [],
    fallthrough: { variant: 'on' },
  }
}

/**
 * `clients` Node SDK clients on a minimal local endpoint of Floodgate's
 * stream protocol (a `put` of the snapshot, then a `patch` per change): the
 * SDK's side of a push, on the same footing as the peers'.
 */
export async function floodgateEndpointRig(clients: number): Promise<PushRig> {
  const endpoint = await startStreamEndpoint({
    isStream: (request) => request.url === '/v1/sdk/stream',
    initial: (on, version) =>
      sseEvent(
        'put',
        {
          schemaVersion: 1,
          environment: 'production',
          version,
          flags: { [FLAG]: snapshotFlag(on, version) },
          segments: {},
        },
        version,
      ),
    change: (on, version) =>
      sseEvent(
        'patch',
        {
          type: 'flag',
          version,
          previousVersion: version - 1,
          key: FLAG,
          flag: snapshotFlag(on, version),
        },
        version,
      ),
  })
  const sdks = Array.from({ length: clients }, () =>
    createClient({
      url: endpoint.url,
      token: 'fg_server_push-benchmark',
      closeOnShutdown: false,
      logger: silent,
    }),
  )
  await Promise.all(sdks.map((sdk) => sdk.ready()))
  return {
    name: 'Floodgate',
    packageName: '@floodgate/node',
    serverSide: STUB_SERVER_SIDE,
    change: () => endpoint.change(),
    watch: watchClients(sdks),
    async close() {
      await Promise.all(sdks.map((sdk) => sdk.close()))
      await endpoint.close()
    },
  }
}

/**
 * The real Floodgate server on an embedded SQLite file and `clients` Node SDK
 * clients streaming from it. A change is the admin API's kill or unkill: an
 * authenticated HTTP request, a durable, audited commit, then the push.
 */
export async function floodgateServerRig(clients: number): Promise<PushRig> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-push-'))
  const adminToken = createTokenSecret('admin')
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    db: join(dir, 'floodgate.db'),
    logger: false,
    adminToken,
    rateLimit: false,
  })
  const admin = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`)
    return (await response.json()) as Record<string, unknown>
  }
  await admin('/v1/admin/flags', { key: FLAG, kind: 'boolean' })
  await admin(`/v1/admin/environments/production/flags/${FLAG}/rollout`, { percent: 100 })
  const { secret } = (await admin('/v1/admin/tokens', {
    name: 'push-bench',
    scope: 'server',
    environment: 'production',
  })) as { secret: string }
  const sdks: NodeFlagClient[] = Array.from({ length: clients }, () =>
    createClient({ url: server.url, token: secret, closeOnShutdown: false, logger: silent }),
  )
  await Promise.all(sdks.map((sdk) => sdk.ready()))
  let killed = false
  return {
    name: 'Floodgate, real server',
    packageName: '@floodgate/node',
    serverSide: 'real server: admin request, durable commit (SQLite), audit, push',
    async change() {
      await admin(`/v1/admin/environments/production/flags/${FLAG}/${killed ? 'unkill' : 'kill'}`, {
        reason: 'push benchmark',
      })
      killed = !killed
    },
    watch: watchClients(sdks),
    async close() {
      await Promise.all(sdks.map((sdk) => sdk.close()))
      await server.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
