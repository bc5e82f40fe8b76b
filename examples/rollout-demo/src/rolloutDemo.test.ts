import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RolloutDemoResult } from './rolloutDemo'

const packageDir = fileURLToPath(new URL('..', import.meta.url))

/** The demo as `pnpm demo` runs it, from the packages' sources, in its own process. */
function startDemo(args: string[]): {
  child: ChildProcess
  output: () => string
  exit: Promise<number | null>
} {
  const child = spawn(
    process.execPath,
    ['--conditions=@floodgate/source', '--import', 'tsx', 'src/main.ts', ...args],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => output, exit }
}

describe('rollout demo', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floodgate-demo-test-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('should complete the healthy rollout and revert the buggy one until every instance serves control', async () => {
    const resultFile = join(dir, 'result.json')
    const demo = startDemo(['--stage-sec', '1', '--rate', '120', '--result-file', resultFile])
    const code = await demo.exit
    const output = demo.output()
    expect(code, output).toBe(0)

    const result = JSON.parse(await readFile(resultFile, 'utf8')) as RolloutDemoResult
    const actions = (story: { decisions: { action: string }[] }) =>
      story.decisions.map((d) => d.action)
    expect(result.healthy.status).toBe('completed')
    expect(actions(result.healthy)).toContain('promote')
    expect(actions(result.healthy)).not.toContain('revert')
    expect(result.healthy.finalPercents).toEqual([100, 100, 100])
    expect(result.buggy.status).toBe('reverted')
    expect(actions(result.buggy)).toContain('revert')
    expect(result.buggy.timeToControlMs).toBeGreaterThan(0)
    expect(result.buggy.perInstance.map((i) => i.ms === null)).toEqual([false, false, false])
    expect(result.success).toBe(true)

    // The console shows each decision as it lands, with its evidence.
    expect(output).toMatch(/PROMOTE: .*\n.*evidence: treatment \d+ served, \d+ bad/)
    expect(output).toMatch(/REVERT: .*\n.*evidence: treatment \d+ served, \d+ bad .*M = /)
    expect(output).toContain('every instance serving control')
  }, 240_000)

  it('should stop every process it started on SIGINT', async () => {
    const demo = startDemo(['--stage-sec', '30'])
    const urls = await new Promise<string[]>((resolve, reject) => {
      const check = setInterval(() => {
        const found = [...demo.output().matchAll(/(?:server on|checkout-\d) (http:\/\/[\d.:]+)/g)]
        if (found.length >= 4) {
          clearInterval(check)
          resolve(found.map((m) => m[1] as string))
        }
      }, 50)
      void demo.exit.then((code) => {
        clearInterval(check)
        reject(new Error(`the demo exited (${code}) before it was up:\n${demo.output()}`))
      })
    })
    for (const url of urls) expect((await fetch(`${url}/healthz`)).ok).toBe(true)

    demo.child.kill('SIGINT')
    expect(await demo.exit).toBe(130)
    for (const url of urls) {
      await expect(fetch(`${url}/healthz`), url).rejects.toThrow()
    }
  }, 120_000)
})
