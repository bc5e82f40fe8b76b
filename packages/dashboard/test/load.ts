import { createClient, type NodeFlagClient } from '@floodgate/node'

/** Real Node SDK clients serving a flag to a stream of users, a share of whose requests fail per arm. */
export interface Load {
  clients: NodeFlagClient[]
  stop(): Promise<void>
}

/**
 * Starts `instances` SDK clients on `token` and a bounded loop of requests:
 * every round each client serves 50 new users, and a request fails when
 * `fails(treatment, n)` says so (deterministic, so each arm sees exactly its
 * rate). Signals go to the server every 200 ms, as they would from a service.
 */
export async function startLoad(options: {
  url: string
  token: string
  flag: string
  instances?: number
  fails: (treatment: boolean, n: number) => boolean
  /** Rounds before the loop stops by itself. Default 3000 (about a minute). */
  maxRounds?: number
}): Promise<Load> {
  const quiet = { warn: () => {}, error: () => {} }
  const clients = Array.from({ length: options.instances ?? 2 }, (_, i) =>
    createClient({
      url: options.url,
      token: options.token,
      closeOnShutdown: false,
      logger: quiet,
      instanceId: `load-${i}`,
      signalsIntervalMs: 200,
    }),
  )
  await Promise.all(clients.map((c) => c.ready({ timeoutMs: 10_000 })))
  let stopped = false
  let user = 0
  const loop = (async () => {
    for (let round = 0; round < (options.maxRounds ?? 3000) && !stopped; round++) {
      for (const client of clients) {
        for (let i = 0; i < 50; i++) {
          const context = { userId: `user-${user++}` }
          const treatment = client.isEnabled(options.flag, context)
          if (options.fails(treatment, user))
            client.recordError(options.flag, new Error('checkout failed'), context)
          else client.recordSuccess(options.flag, context)
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  return {
    clients,
    async stop() {
      stopped = true
      await loop
      await Promise.all(clients.map((c) => c.close()))
    },
  }
}
