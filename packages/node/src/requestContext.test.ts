import express from 'express'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient, type NodeFlagClient } from './createClient'
import { flag, snapshotOf } from './testUtils/fixtures'

/** Beta for user-1 only, decided deep in "application code" that gets no context. */
function betaFlags(): NodeFlagClient {
  return createClient({
    bootstrap: snapshotOf([
      {
        ...flag('beta', false),
        rules: [
          {
            conditions: [{ attribute: 'userId', op: 'in', values: ['user-1'] }],
            serve: { variant: 'on' },
          },
        ],
      },
    ]),
    closeOnShutdown: false,
  })
}
const deepInTheApp = async (flags: NodeFlagClient) => {
  await new Promise((resolve) => setTimeout(resolve, 1))
  return flags.isEnabled('beta') ? 'beta' : 'stable'
}

describe('RequestContext', () => {
  const closers: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0)) await close()
  })

  it('should carry the context through awaits with withContext, and not outside it', async () => {
    const flags = betaFlags()
    const [one, two] = await Promise.all([
      flags.withContext({ userId: 'user-1' }, () => deepInTheApp(flags)),
      flags.withContext({ userId: 'user-2' }, () => deepInTheApp(flags)),
    ])
    expect([one, two]).toEqual(['beta', 'stable'])
    expect(await deepInTheApp(flags)).toBe('stable')
  })

  it('should set the context per request in Express', async () => {
    const flags = betaFlags()
    const app = express()
    app.use(flags.middleware((req: express.Request) => ({ userId: req.get('x-user-id') })))
    app.get('/', async (_req, res) => {
      res.send(await deepInTheApp(flags))
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    closers.push(() => new Promise((resolve) => server.close(resolve)))
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const get = (user: string) =>
      fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-user-id': user } }).then((r) => r.text())
    expect(await Promise.all([get('user-1'), get('user-2'), get('user-1')])).toEqual([
      'beta',
      'stable',
      'beta',
    ])
  })

  it('should set the context per request in Fastify, and survive a toContext that throws', async () => {
    const flags = betaFlags()
    const app = Fastify()
    closers.push(() => app.close())
    app.addHook(
      'onRequest',
      flags.middleware((request: { headers: Record<string, unknown> }) => {
        if (request.headers['x-user-id'] === 'bad') throw new Error('cannot read the user')
        return { userId: String(request.headers['x-user-id']) }
      }),
    )
    app.get('/', async () => deepInTheApp(flags))
    const get = async (user: string) =>
      (await app.inject({ method: 'GET', url: '/', headers: { 'x-user-id': user } })).body
    expect(await get('user-1')).toBe('beta')
    expect(await get('user-2')).toBe('stable')
    expect(await get('bad')).toBe('stable')
  })
})
