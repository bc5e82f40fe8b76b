import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../app'
import { cliRunner } from '../testUtils/cliRunner'

describe('runCli', () => {
  let server: RunningServer
  const run = cliRunner(() => server)

  beforeAll(async () => {
    server = await startServer({ port: 0, db: ':memory:', logger: false })
  })
  afterAll(async () => {
    await server.close()
  })

  it('should create flags, roll out, kill, unkill and revert through the API', async () => {
    expect(await run('flags', 'create', 'new-checkout', '--description', 'v2')).toMatchObject({
      code: 0,
    })
    expect((await run('rollout', 'new-checkout', '25', '--env', 'staging')).out).toBe(
      'new-checkout in staging: on, serving 25% on - version 2, environment version 2',
    )
    expect((await run('kill', 'new-checkout', '--reason', '5xx spike')).out).toContain(
      'new-checkout in production: KILLED, serving off (reason: 5xx spike)',
    )
    expect((await run('unkill', 'new-checkout')).out).toContain(
      'production: off, serving off - version 3',
    )
    expect((await run('revert', 'new-checkout', '--to', '1', '--env', 'staging')).out).toContain(
      'staging: off, serving off - version 3',
    )
  })

  it('should print tables by default and JSON with --json', async () => {
    const status = await run('status')
    expect(status.out.split('\n')[0]).toMatch(/^FLAG\s+ENV\s+STATE\s+SERVING\s+KILLED\s+VERSION$/)
    expect(status.out).toMatch(/new-checkout\s+staging\s+off\s+off\s+no\s+3/)
    const json = JSON.parse((await run('flags', 'list', '--json')).out)
    expect(json.flags[0]).toMatchObject({ key: 'new-checkout', description: 'v2' })
    expect((await run('audit', '--flag', 'new-checkout', '--limit', '2')).out).toContain(
      '(more: --cursor',
    )
    const token = JSON.parse(
      (await run('tokens', 'create', 'api', '--scope', 'server', '--env', 'production', '--json'))
        .out,
    )
    expect(token.secret).toMatch(/^fg_server_/)
    expect((await run('tokens', 'list')).out).toContain(token.token.id)
    expect((await run('tokens', 'revoke', token.token.id)).out).toBe(
      `revoked api (${token.token.id})`,
    )
  })

  it('should run a staged rollout next to rollout <flag> <percent>, as tables or JSON', async () => {
    await run('flags', 'create', 'staged')
    const started = await run(
      'rollout',
      'start',
      'staged',
      '--env',
      'staging',
      '--stages',
      '10,50,100',
      '--min-duration',
      '5',
      '--local-guard',
      '5:0.5',
    )
    expect(started.code).toBe(0)
    expect(started.out.split('\n')[0]).toMatch(
      /^rollout ro_[0-9a-f]+ of staged in staging: running, stage 1\/3 serving 10% on \(10% → 50% → 100%\)$/,
    )
    expect(started.out).toMatch(/TIME\s+ACTION\s+STAGE\s+BY\s+REASON\n\S+\s+start\s+1\s+admin/)
    const state = JSON.parse(
      (await run('rollout', 'status', 'staged', '--env', 'staging', '--json')).out,
    )
    expect(state).toMatchObject({
      flag: 'staged',
      status: 'running',
      plan: { stages: [{ percent: 10, minDurationSec: 5 }, { percent: 50 }, { percent: 100 }] },
    })
    expect(state.plan.localGuard).toEqual({ minErrors: 5, maxErrorRate: 0.5 })
    expect(
      (await run('rollout', 'pause', 'staged', '--env', 'staging', '--reason', 'lunch')).out,
    ).toMatch(/pause\s+1\s+admin\s+lunch/)
    expect((await run('rollout', 'resume', 'staged', '--env', 'staging')).out).toContain(
      ': running,',
    )
    expect((await run('rollout', 'promote', 'staged', '--env', 'staging')).out).toContain(
      'stage 2/3 serving 50% on',
    )
    expect((await run('rollout', 'abort', 'staged', '--env', 'staging')).out).toContain(
      ': aborted, stage 2/3 serving 0% on',
    )
    const history = await run('rollout', 'history', 'staged', '--env', 'staging')
    expect(history.out).toMatch(
      /^ID\s+STATUS\s+STAGE\s+PERCENT\s+STARTED\s+ENDED\s+LAST DECISION\n/,
    )
    expect(history.out).toMatch(/ro_\S+\s+aborted\s+2\/3\s+0%/)
    expect((await run('rollout', 'health', 'staged', '--env', 'staging')).out).toMatch(
      /^STAGE\s+VARIANT/,
    )
    expect((await run('rollout', 'staged', '40', '--env', 'staging')).out).toContain(
      'staged in staging: on, serving 40% on',
    )
    expect(await run('rollout', 'status', 'staged')).toMatchObject({
      code: 1,
      err: 'error: 404 Not Found: flag "staged" has no rollout in production',
    })
    expect((await run('rollout', 'start', 'staged', '--alpha', 'lots')).err).toBe(
      'error: --alpha must be a number, not "lots"',
    )
    const bad = await run('rollout', 'start', 'staged', '--treatment', 'maybe')
    expect(bad.err).toContain('/treatment: unknown variant "maybe"')
  })

  it('should exit non-zero with the server problem detail on errors', async () => {
    expect(await run('rollout', 'new-checkout', '101')).toEqual({
      code: 1,
      out: '',
      err: 'error: 400 Bad Request: invalid body: /percent Too big: expected number to be <=100\n  /percent: Too big: expected number to be <=100',
    })
    expect((await run('kill', 'missing', '--reason', 'x')).err).toBe(
      'error: 404 Not Found: flag "missing" does not exist',
    )
    expect((await run('status', '--token', 'fg_admin_nope')).code).toBe(1)
    expect((await run('kill', 'new-checkout')).code).toBe(1)
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const { port } = closed.address() as AddressInfo
    await new Promise((r) => closed.close(r))
    const unreachable = await run('status', '--url', `http://127.0.0.1:${port}`)
    expect(unreachable).toMatchObject({
      code: 1,
      err: `error: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`,
    })
  })
})
