import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../app'
import { cliRunner } from '../testUtils/cliRunner'
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/testUtils/webhookReceiver'

describe('addWebhooksCommand', () => {
  let server: RunningServer
  let receiver: WebhookReceiver
  const run = cliRunner(() => server)

  beforeAll(async () => {
    server = await startServer({ port: 0, db: ':memory:', logger: false })
    receiver = await startWebhookReceiver()
  })
  afterAll(async () => {
    await receiver.close()
    await server.close()
  })

  it('should create, list, test, show deliveries of and delete a webhook', async () => {
    const created = await run(
      'webhooks',
      'create',
      `${receiver.url}/hook`,
      '--events',
      'rollout.reverted,rollout.completed',
      '--env',
      'production',
      '--description',
      'pager',
    )
    expect(created.code).toBe(0)
    const [first, label, secretLine] = created.out.split('\n')
    const id = /webhook (wh_[0-9a-f]{24}) ->/.exec(first ?? '')?.[1] ?? ''
    expect(id).not.toBe('')
    expect(label).toBe('signing secret (shown only this once):')
    expect(secretLine?.trim()).toMatch(/^whsec_/)

    const listed = await run('webhooks', 'list')
    expect(listed.out.split('\n')[0]).toMatch(
      /^ID\s+URL\s+EVENTS\s+ENVS\s+ENABLED\s+SECRET\s+DESCRIPTION$/,
    )
    expect(listed.out).toMatch(
      new RegExp(
        `${id}\\s+${receiver.url}/hook\\s+rollout.reverted,rollout.completed\\s+production\\s+yes\\s+whsec_\\S+…\\s+pager`,
      ),
    )
    expect(listed.out).not.toContain(secretLine?.trim())

    receiver.respondWith(500)
    const failed = await run('webhooks', 'test', id)
    expect(failed.out).toMatch(
      /^ping whd_[0-9a-f]{24}: pending after 1 attempt\(s\), last HTTP 500 in \d+ ms; next attempt at \S+$/,
    )
    const ok = await run('webhooks', 'test', id)
    expect(ok.out).toMatch(/: succeeded after 1 attempt\(s\), last HTTP 200 in \d+ ms$/)

    const table = await run('webhooks', 'deliveries', id)
    const lines = table.out.split('\n')
    expect(lines[0]).toMatch(
      /^DELIVERY\s+EVENT\s+ENV\s+STATE\s+ATTEMPTS\s+LAST\s+NEXT ATTEMPT\s+CREATED$/,
    )
    expect(lines).toHaveLength(3)
    const json = JSON.parse(
      (await run('webhooks', 'deliveries', id, '--state', 'pending', '--json')).out,
    )
    expect(json.deliveries).toHaveLength(1)
    expect(json.deliveries[0]).toMatchObject({ state: 'pending', log: [{ statusCode: 500 }] })

    const rotated = await run(
      'webhooks',
      'update',
      id,
      '--disable',
      '--events',
      '*',
      '--rotate-secret',
    )
    const [updatedLine, newLabel, newSecret] = rotated.out.split('\n')
    expect(updatedLine).toBe(`updated webhook ${id} -> ${receiver.url}/hook (disabled)`)
    expect(newLabel).toBe('new signing secret (shown only this once):')
    expect(newSecret?.trim()).toMatch(/^whsec_/)
    expect(newSecret?.trim()).not.toBe(secretLine?.trim())
    const [after] = JSON.parse((await run('webhooks', 'list', '--json')).out).webhooks
    expect(after).toMatchObject({ enabled: false, events: [], environments: ['production'] })
    expect((await run('webhooks', 'update', id, '--enable')).out).toBe(
      `updated webhook ${id} -> ${receiver.url}/hook (enabled)`,
    )
    expect((await run('webhooks', 'update', id, '--enable', '--disable')).err).toBe(
      'error: --enable and --disable exclude each other',
    )
    expect((await run('webhooks', 'delete', id)).out).toBe(`deleted webhook ${id}`)
    expect(JSON.parse((await run('webhooks', 'list', '--json')).out)).toEqual({ webhooks: [] })
  })

  it('should print the server problem for bad input', async () => {
    expect(await run('webhooks', 'create', 'ftp://example.com/x')).toEqual({
      code: 1,
      out: '',
      err: 'error: 400 Bad Request: invalid body: /url webhook URLs must use http or https, not ftp\n  /url: webhook URLs must use http or https, not ftp',
    })
    expect((await run('webhooks', 'test', 'wh_000000000000000000000000')).err).toBe(
      'error: 404 Not Found: webhook "wh_000000000000000000000000" does not exist',
    )
  })
})
