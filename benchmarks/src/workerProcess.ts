import type { WorkerMessage } from './results'

/**
 * Runs a worker's job and sends the result (or the error) to the parent over
 * IPC, then exits: SDK timers left behind must not keep the process alive.
 */
export function runWorker<T>(job: () => Promise<T>): void {
  const channel = process.send?.bind(process)
  if (!channel) {
    console.error('this script runs as a child of the benchmark runner (dist/run.js)')
    process.exit(1)
  }
  const send = (message: WorkerMessage<T>) =>
    new Promise<void>((resolve) => channel(message, () => resolve()))
  job()
    .then((result) => send({ ok: true, result }))
    .catch((error: unknown) =>
      send({
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    )
    .finally(() => process.exit(0))
}

/** Parses the JSON argument the runner passes to a worker. */
export function workerArgument<T>(): T {
  const raw = process.argv[2]
  if (!raw) throw new Error('missing worker argument')
  return JSON.parse(raw) as T
}
