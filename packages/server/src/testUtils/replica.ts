import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'

const PACKAGE_DIR = resolve(import.meta.dirname, '../..')

/** A `floodgate serve` in a child process of its own, as a replica runs in production. */
export interface Replica {
  process: ChildProcess
  url: string
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGTERM, and the exit. */
  stop(): Promise<void>
}

/** Starts `floodgate serve --db <db>` from source on a free port and waits until it listens. */
export function startReplica(db: string, env: Record<string, string> = {}): Promise<Replica> {
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
    { cwd: PACKAGE_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  )
  return new Promise((resolveReplica, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      if (url) {
        child.stdout?.off('data', onData)
        child.stdout?.on('data', (more: Buffer) => {
          output += more.toString()
        })
        resolveReplica({
          process: child,
          url,
          output: () => output,
          exited,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
            await exited
          },
        })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    exited.then(({ code, signal }) =>
      reject(new Error(`serve exited (${code ?? signal}) before listening: ${output}`)),
    )
  })
}
