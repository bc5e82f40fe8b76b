import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient, type Logger, type NodeFlagClient } from '@floodgate/node'
import { CHECKOUT_FLAG, createCheckoutApp } from './checkoutApp'
import type { CheckoutConfig } from './checkoutConfig'
import { FlagStateTracker } from './flagState'

/** A checkout instance that listens. */
export interface RunningCheckout {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string
  port: number
  flags: NodeFlagClient
  /** Stops listening, ends open connections, then closes the flag client (flushing signals). */
  close(): Promise<void>
}

/** Options of `startCheckoutServer` beyond the configuration. */
export interface StartCheckoutOptions {
  /** Where the flag client's warnings go. Default `console`. */
  logger?: Logger
  /** Longest wait for the first snapshot before serving anyway, in ms. Default 5000. */
  readyTimeoutMs?: number
  /** Source of randomness for failures. Default `Math.random`. */
  random?: () => number
}

/**
 * Connects a flag client, waits for its first snapshot (or the timeout: the
 * checkout then serves the legacy path until flags arrive), and listens.
 */
export async function startCheckoutServer(
  config: CheckoutConfig,
  options: StartCheckoutOptions = {},
): Promise<RunningCheckout> {
  const flags = createClient({
    url: config.floodgateUrl,
    token: config.floodgateToken,
    signalsIntervalMs: config.signalsIntervalMs,
    instanceId: config.instanceId,
    context: { instanceId: config.instanceId },
    // The process's own signal handler closes the client after the HTTP server.
    closeOnShutdown: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  })
  await flags.ready({ timeoutMs: options.readyTimeoutMs ?? 5000 })
  const state = new FlagStateTracker(flags, CHECKOUT_FLAG, config.instanceId)
  const app = createCheckoutApp({
    flags,
    state,
    instanceId: config.instanceId,
    failRate: config.failRate,
    newCheckoutFailRate: config.newCheckoutFailRate,
    ...(options.random === undefined ? {} : { random: options.random }),
  })
  const server = createServer(app)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => resolve())
    })
  } catch (error) {
    state.close()
    await flags.close()
    throw error
  }
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://${config.host}:${port}`,
    port,
    flags,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeIdleConnections()
          // Clients that keep sending on a kept-alive socket get a second to finish.
          setTimeout(() => server.closeAllConnections(), 1000).unref()
        })
        state.close()
        await flags.close()
      })()
      return closing
    },
  }
}
