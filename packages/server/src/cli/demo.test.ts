import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestServer, type TestServer } from '../testUtils/testServer'
import { readDemoTokens, seedDemo } from './demo'

let server: TestServer | undefined
let dir: string | undefined
afterEach(async () => {
  await server?.close()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

describe('seedDemo', () => {
  it('should give the client token both demo flags, new-checkout included, and save the tokens', async () => {
    server = await createTestServer()
    dir = mkdtempSync(join(tmpdir(), 'floodgate-demo-'))
    const tokens = await seedDemo(server.store, dir, server.admin)
    const res = await server.call(tokens.client, 'GET', '/v1/sdk/snapshot')
    expect(res.statusCode).toBe(200)
    const snapshot = res.json() as { environment: string; flags: Record<string, unknown> }
    expect(snapshot.environment).toBe('development')
    expect(Object.keys(snapshot.flags).sort()).toEqual(['dark-mode', 'new-checkout'])
    expect(readDemoTokens(dir)).toEqual(tokens)
    expect(await seedDemo(server.store, dir, server.admin)).toEqual(tokens)
  })
})
