import { Connection, FlagClient } from '@floodgate/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from './testUtils/postgres'
import { type Replica, startReplica } from './testUtils/replica'

const ADMIN = `fg_admin_${'r'.repeat(43)}`

async function call(
  replica: Replica,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${replica.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

/** An SDK client streaming from one replica. */
async function sdkOn(replica: Replica, token: string) {
  const client = new FlagClient()
  const connection = new Connection(client, {
    url: replica.url,
    token,
    logger: { warn: () => {}, error: () => {} },
  }).start()
  await connection.firstSync
  return { client, connection }
}

/** Resolves once `predicate` holds for the client, re-checked on each of its events. */
function until(client: FlagClient, predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (predicate()) return resolve()
    const unsubscribe = client.subscribe(() => {
      if (!predicate()) return
      unsubscribe()
      resolve()
    })
  })
}

describe('three replicas on one PostgreSQL database', () => {
  let database: TestDatabase
  let replicas: Replica[] = []

  beforeAll(async () => {
    database = await createTestDatabase()
    // Started together, so their migrations contend for the lock.
    replicas = await Promise.all(
      [0, 1, 2].map(() => startReplica(database.url, { FLOODGATE_ADMIN_TOKEN: ADMIN })),
    )
  }, 60_000)
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    await database?.drop()
  })

  it('should carry a kill on replica A to the SDKs streaming from B and C', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica]
    expect(
      (await call(a, 'POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' })).status,
    ).toBe(201)
    expect(
      (
        await call(b, 'POST', '/v1/admin/environments/production/flags/checkout/rollout', {
          percent: 100,
        })
      ).status,
    ).toBe(200)
    const created = await call(c, 'POST', '/v1/admin/tokens', {
      name: 'sdk',
      scope: 'server',
      environment: 'production',
    })
    const token = created.json.secret as string
    const sdks = await Promise.all([b, c].map((r) => sdkOn(r, token)))
    for (const { client } of sdks) expect(client.isEnabled('checkout', { userId: 'u1' })).toBe(true)

    const kill = await call(a, 'POST', '/v1/admin/environments/production/flags/checkout/kill', {
      reason: 'replica test',
    })
    expect(kill.status).toBe(200)
    await Promise.all(
      sdks.map(({ client }) =>
        until(
          client,
          () => client.getDetails('checkout', true, { userId: 'u1' }).reason === 'KILLED',
        ),
      ),
    )
    for (const { client } of sdks) {
      expect(client.getDetails('checkout', true, { userId: 'u1' })).toMatchObject({
        value: false,
        reason: 'KILLED',
      })
    }
    await Promise.all(sdks.map(({ connection }) => connection.close()))
  })

  it('should let one of two conflicting writes on two replicas win and answer the other 409', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica]
    await call(a, 'POST', '/v1/admin/flags', { key: 'contested', kind: 'boolean' })
    const current = await call(c, 'GET', '/v1/admin/environments/staging/flags/contested')
    const version = String(current.json.version)
    const put = (replica: Replica, enabled: boolean) =>
      call(
        replica,
        'PUT',
        '/v1/admin/environments/staging/flags/contested',
        { enabled, killed: false, rules: [], fallthrough: { variant: 'on' } },
        { 'if-match': `"${version}"` },
      )
    const results = await Promise.all([put(a, true), put(b, false)])
    expect(results.map((r) => r.status).sort()).toEqual([200, 409])
    const after = await call(c, 'GET', '/v1/admin/environments/staging/flags/contested')
    expect(after.json.version).toBe(Number(version) + 1)
    const winner = results.findIndex((r) => r.status === 200)
    expect((after.json.config as { enabled: boolean }).enabled).toBe(winner === 0)

    // Two creates of one flag: one is created, the other is told it exists.
    const creates = await Promise.all(
      [b, c].map((r) => call(r, 'POST', '/v1/admin/flags', { key: 'twice', kind: 'boolean' })),
    )
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409])
  })
})
