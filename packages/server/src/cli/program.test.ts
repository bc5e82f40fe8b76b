import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../app'
import { type CliIo, createProgram, runCli } from './program'

describe('runCli', () => {
  let server: RunningServer
  const run = async (...args: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const io: CliIo = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { FLOODGATE_URL: server.url, FLOODGATE_TOKEN: server.adminToken },
    }
    const code = await runCli(args, io)
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

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

describe('createProgram', () => {
  it('should keep rollout <flag> <percent> working next to rollout subcommands', async () => {
    const program = createProgram({ out: () => {}, err: () => {}, env: {} })
    const rollout = program.commands.find((c) => c.name() === 'rollout')
    const seen: string[] = []
    rollout?.action((flag: string, percent: string) => {
      seen.push(`percent ${flag} ${percent}`)
    })
    rollout?.command('status <flag>').action((flag: string) => {
      seen.push(`status ${flag}`)
    })
    await program.parseAsync(['rollout', 'status', 'new-checkout'], { from: 'user' })
    await program.parseAsync(['rollout', 'new-checkout', '25'], { from: 'user' })
    expect(seen).toEqual(['status new-checkout', 'percent new-checkout 25'])
  })
})
