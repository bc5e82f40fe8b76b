import type { RunningServer } from '../app'
import { type CliIo, runCli } from '../cli/program'

/** What one CLI run printed and its exit code. */
export interface CliRun {
  code: number
  out: string
  err: string
}

/**
 * Runs `floodgate` commands in process against a running server with its
 * admin token, capturing stdout and stderr. The server is read at each call,
 * so the runner can be made before `beforeAll` starts it.
 */
export function cliRunner(server: () => RunningServer): (...args: string[]) => Promise<CliRun> {
  return async (...args) => {
    const out: string[] = []
    const err: string[] = []
    const io: CliIo = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { FLOODGATE_URL: server().url, FLOODGATE_TOKEN: server().adminToken },
    }
    const code = await runCli(args, io)
    return { code, out: out.join('\n'), err: err.join('\n') }
  }
}
