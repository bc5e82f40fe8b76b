import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../app'
import { cliRunner } from '../testUtils/cliRunner'

describe('addDeliveryMetricsCommand', () => {
  let server: RunningServer
  const run = cliRunner(() => server)
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  beforeAll(async () => {
    server = await startServer({ port: 0, db: ':memory:', logger: false })
    for (const key of ['a', 'b']) {
      await admin('POST', '/v1/admin/flags', { key, kind: 'boolean' })
      const started = await admin(
        'POST',
        `/v1/admin/environments/production/flags/${key}/rollouts`,
        {
          treatment: 'on',
          control: 'off',
        },
      )
      expect(started.status).toBe(201)
    }
    const aborted = await admin(
      'POST',
      '/v1/admin/environments/production/flags/a/rollouts/current/abort',
      { reason: 'not today' },
    )
    expect(aborted.status).toBe(200)
  })
  afterAll(async () => {
    await server.close()
  })

  it('should print every environment as a table and one as JSON', async () => {
    const table = await run('metrics')
    const lines = table.out.split('\n')
    expect(lines[0]).toMatch(
      /^ENV\s+STARTED\s+COMPLETED\s+REVERTED\s+ABORTED\s+ACTIVE\s+FAILURE RATE\s+DETECT\s+REVERT\s+TO 100%$/,
    )
    expect(lines).toContainEqual(
      expect.stringMatching(/^production\s+2\s+0\s+0\s+1\s+1\s+-\s+-\s+-\s+-$/),
    )
    expect(lines).toContainEqual(expect.stringMatching(/^staging\s+0\s+0\s+0\s+0\s+0\s+-/))
    const json = JSON.parse(
      (await run('metrics', '--env', 'production', '--days', '7', '--json')).out,
    )
    expect(json.metrics).toHaveLength(1)
    expect(json.metrics[0]).toMatchObject({
      environment: 'production',
      rollouts: { started: 2, aborted: 1, active: 1 },
      changeFailureRate: null,
    })
    expect((await run('metrics', '--days', '0')).code).toBe(1)
  })
})
