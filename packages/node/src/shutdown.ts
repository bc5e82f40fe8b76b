/** Something to close when the process ends. */
interface Closable {
  close(): Promise<void>
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const
const clients = new Set<Closable>()
/** How long a signal waits for the clients to flush before the process goes on ending. */
const SIGNAL_GRACE_MS = 5000

/**
 * Closes `client` (flushing its signals) when the process ends: on
 * `beforeExit`, and on SIGTERM / SIGINT. A listener for those signals stops
 * Node's default of exiting, so when the SDK's listener is the only one it
 * raises the signal again once the clients are closed, and the process ends
 * as it would have. When the application listens too, ending the process is
 * left to it. Returns the function that stops watching this client.
 *
 * One set of process listeners serves every client, however many there are.
 */
export function closeOnShutdown(client: Closable): () => void {
  if (clients.size === 0) install()
  clients.add(client)
  return () => {
    clients.delete(client)
    if (clients.size === 0) uninstall()
  }
}

function install(): void {
  process.on('beforeExit', onBeforeExit)
  for (const signal of SIGNALS) process.on(signal, onSignal)
}

function uninstall(): void {
  process.off('beforeExit', onBeforeExit)
  for (const signal of SIGNALS) process.off(signal, onSignal)
}

function closeAll(): Promise<unknown> {
  return Promise.allSettled([...clients].map((client) => client.close()))
}

function onBeforeExit(): void {
  // The flush's requests keep the event loop alive until they settle.
  void closeAll()
}

function onSignal(signal: NodeJS.Signals): void {
  uninstall()
  let grace: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    grace = setTimeout(resolve, SIGNAL_GRACE_MS)
    grace.unref()
  })
  void Promise.race([closeAll(), timeout]).then(() => {
    clearTimeout(grace)
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  })
}
