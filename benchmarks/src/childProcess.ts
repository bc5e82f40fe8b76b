import { fork } from 'node:child_process'
import type { WorkerMessage } from './results'

const TIMEOUT_MS = 10 * 60_000

/**
 * Runs one worker script in a fresh Node process and resolves with what it
 * sends. The child's own output is kept and shown only if it fails.
 */
export function runChild<T>(
  script: string,
  argument: unknown,
  execArgv: string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [JSON.stringify(argument)], { execArgv, silent: true })
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    let message: WorkerMessage<T> | undefined
    child.on('message', (m) => {
      message = m as WorkerMessage<T>
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (message?.ok) return resolve(message.result)
      const why = message ? message.error : `exited with ${signal ?? `code ${code}`}`
      reject(new Error(`${script} ${JSON.stringify(argument)}: ${why}\n${output}`))
    })
  })
}
