import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/** Options of `ManagedProcess.start`. */
export interface ManagedProcessOptions {
  /** A short name for messages, e.g. `server` or `checkout-1`. */
  name: string
  /** The script to run with this Node binary and its flags (`--import tsx`, conditions). */
  script: string
  args?: string[]
  env?: Record<string, string>
  /** A line of stdout that says the process is up; its first capture group is returned by `start`. */
  ready: RegExp
  /** Longest wait for the ready line, in ms. Default 20000. */
  readyTimeoutMs?: number
  /** Called with every line the process writes, once it is up. */
  onLine?: (line: string) => void
}

/** The last lines a process wrote, for error messages. */
const KEPT_LINES = 20

/**
 * A child Node process the demo owns: started with the demo's own Node flags,
 * up once it prints its ready line, stopped with SIGTERM (SIGKILL after a
 * grace period).
 */
export class ManagedProcess {
  private readonly lines: string[] = []
  private readonly exited: Promise<number | null>

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  }

  /** Starts the process and resolves with the ready line's first capture once it is printed. */
  static async start(
    options: ManagedProcessOptions,
  ): Promise<{ process: ManagedProcess; ready: string }> {
    const child = spawn(
      process.execPath,
      [...process.execArgv, options.script, ...(options.args ?? [])],
      {
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const managed = new ManagedProcess(options.name, child)
    let isUp = false
    const ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(managed.failure(`did not start within ${options.readyTimeoutMs ?? 20_000} ms`)),
        options.readyTimeoutMs ?? 20_000,
      )
      const read = (line: string) => {
        managed.keep(line)
        if (isUp) {
          options.onLine?.(line)
          return
        }
        const match = options.ready.exec(line)
        if (match) {
          isUp = true
          clearTimeout(timer)
          resolve(match[1] ?? line)
        }
      }
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', read)
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', read)
      child.once('error', (error) => {
        clearTimeout(timer)
        reject(managed.failure(`could not be started: ${error.message}`))
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        if (!isUp) reject(managed.failure(`exited before it was up (${signal ?? `code ${code}`})`))
      })
    })
    try {
      return { process: managed, ready: await ready }
    } catch (error) {
      await managed.stop()
      throw error
    }
  }

  /** Whether the process still runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. Resolves once it has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }

  private keep(line: string): void {
    this.lines.push(line)
    if (this.lines.length > KEPT_LINES) this.lines.shift()
  }

  private failure(what: string): Error {
    const output = this.lines.length > 0 ? `; its last output:\n  ${this.lines.join('\n  ')}` : ''
    return new Error(`${this.name} ${what}${output}`)
  }
}
