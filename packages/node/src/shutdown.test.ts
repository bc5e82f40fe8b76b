import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { SignalsBatch } from '@floodgate/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LiveServer } from './testUtils/liveServer'

const child = fileURLToPath(new URL('./testUtils/shutdownChild.ts', import.meta.url))

describe('closeOnShutdown', () => {
  let live: LiveServer
  let token: string
  const batches: SignalsBatch[] = []
  beforeEach(async () => {
    live = await (await LiveServer.create()).start()
    await live.call('POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' })
    await live.change('checkout', 'rollout', { percent: 100 })
    token = await live.sdkToken()
    live.server?.signals.subscribe((event) => batches.push(event.batch))
  })
  afterEach(async () => {
    batches.length = 0
    await live.dispose()
  })

  const run = (mode: 'signal' | 'exit', instanceId: string) => {
    const proc = spawn(
      process.execPath,
      ['--conditions=@floodgate/source', '--import', 'tsx', child],
      {
        env: {
          ...process.env,
          FLOODGATE_URL: live.url,
          FLOODGATE_TOKEN: token,
          INSTANCE_ID: instanceId,
          MODE: mode,
        },
        // tsx resolves from this package.
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const ready = new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve()
      })
      proc.on('exit', () => reject(new Error('the child exited before it was ready')))
    })
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on('exit', (code, signal) => resolve({ code, signal })),
    )
    return { proc, ready, exited }
  }
  const exposuresOf = (instanceId: string) =>
    batches
      .filter((b) => b.sdk.instanceId === instanceId)
      .reduce((n, b) => n + (b.flags.checkout?.on?.exposures ?? 0), 0)

  it('should flush signals on SIGTERM, then end the process as the signal would', {
    timeout: 30_000,
  }, async () => {
    const { proc, ready, exited } = run('signal', 'sigterm-child')
    await ready
    proc.kill('SIGTERM')
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' })
    expect(exposuresOf('sigterm-child')).toBe(7)
    expect(batches.find((b) => b.sdk.instanceId === 'sigterm-child')?.sdk.name).toBe(
      '@floodgate/node',
    )
  })

  it('should flush on beforeExit, and not keep a finished process alive despite its open stream', {
    timeout: 30_000,
  }, async () => {
    const { exited } = run('exit', 'exit-child')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(exposuresOf('exit-child')).toBe(7)
  })
})
