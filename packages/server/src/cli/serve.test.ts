import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'

const PACKAGE_DIR = resolve(import.meta.dirname, '../..')
const ADMIN = `fg_admin_${'d'.repeat(43)}`

interface Child {
  process: ChildProcess
  url: string
  exited: Promise<number | null>
}

/** Runs `floodgate serve` from source in a child process and waits until it listens. */
function serve(db: string): Promise<Child> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@floodgate/source',
      '--import',
      'tsx',
      'src/cli.ts',
      'serve',
      '--port',
      '0',
      '--db',
      db,
      '--log-level',
      'warn',
    ],
    {
      cwd: PACKAGE_DIR,
      env: { ...process.env, FLOODGATE_ADMIN_TOKEN: ADMIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  return new Promise((resolveChild, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      if (url) resolveChild({ process: child, url, exited })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    exited.then((code) => reject(new Error(`serve exited with ${code}: ${output}`)))
  })
}

async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

describe('floodgate serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'floodgate-serve-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('should keep every acknowledged write across 20 SIGKILLs at random moments', {
    timeout: 240_000,
  }, async () => {
    const db = join(dir, 'durability.db')
    const acked = new Set<string>()
    let lastPercent = 0
    let next = 0
    for (let round = 0; round < 20; round++) {
      const child = await serve(db)
      const flags = (await call(child.url, 'GET', '/v1/admin/flags')).json.flags as {
        key: string
      }[]
      const present = new Set(flags.map((f) => f.key))
      for (const key of acked) expect(present.has(key), `flag ${key} was acknowledged`).toBe(true)
      if (round === 0)
        expect(
          (await call(child.url, 'POST', '/v1/admin/flags', { key: 'seq', kind: 'boolean' }))
            .status,
        ).toBe(201)
      const seq = (await call(child.url, 'GET', '/v1/admin/environments/production/flags/seq')).json
      const weight =
        (seq.config as { fallthrough: { split?: { weight: number }[] } }).fallthrough.split?.[0]
          ?.weight ?? 0
      expect(weight).toBeGreaterThanOrEqual(Math.round(lastPercent * 100))

      let stop = false
      const creator = async () => {
        while (!stop) {
          const key = `f-${next++}`
          const res = await call(child.url, 'POST', '/v1/admin/flags', {
            key,
            kind: 'boolean',
          }).catch(() => undefined)
          if (res?.status === 201) acked.add(key)
        }
      }
      const roller = async () => {
        while (!stop) {
          const percent = Math.min(100, lastPercent + 0.01)
          const res = await call(
            child.url,
            'POST',
            '/v1/admin/environments/production/flags/seq/rollout',
            {
              percent: Number(percent.toFixed(2)),
            },
          ).catch(() => undefined)
          if (res?.status === 200) lastPercent = Number(percent.toFixed(2))
        }
      }
      const writers = [creator(), creator(), roller()]
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 400))
      child.process.kill('SIGKILL')
      await child.exited
      stop = true
      await Promise.all(writers)

      const raw = new BetterSqlite3(db)
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
      raw.close()
    }
    expect(acked.size).toBeGreaterThan(20)
  })

  it('should shut down gracefully on SIGTERM', { timeout: 60_000 }, async () => {
    const child = await serve(join(dir, 'graceful.db'))
    expect((await call(child.url, 'GET', '/v1/admin/flags')).status).toBe(200)
    child.process.kill('SIGTERM')
    expect(await child.exited).toBe(0)
  })
})
