import { fileURLToPath } from 'node:url'
import { ManagedProcess } from './managedProcess'

/** One running checkout instance. */
export interface CheckoutInstance {
  name: string
  url: string
  process: ManagedProcess
}

/** Options of `CheckoutFleet.start`. */
export interface CheckoutFleetOptions {
  size: number
  /** Environment variables of every instance (the checkout's configuration). */
  env: Record<string, string>
  /** Called with every line an instance writes once it is up. */
  onLine?: (name: string, line: string) => void
}

/** The checkout's entry point, next to the module its package exports. */
function checkoutScript(): string {
  const index = fileURLToPath(import.meta.resolve('@floodgate/example-express-checkout'))
  return index.replace(/index\.ts$/, 'main.ts')
}

/** Instances of examples/express-checkout, each its own process on a free port. */
export class CheckoutFleet {
  private constructor(readonly instances: CheckoutInstance[]) {}

  /** Starts `size` instances in parallel; if one fails, stops the others and throws. */
  static async start(options: CheckoutFleetOptions): Promise<CheckoutFleet> {
    const script = checkoutScript()
    const started = await Promise.allSettled(
      Array.from({ length: options.size }, async (_, i): Promise<CheckoutInstance> => {
        const name = `checkout-${i + 1}`
        const { process, ready } = await ManagedProcess.start({
          name,
          script,
          env: { ...options.env, PORT: '0', INSTANCE_ID: name },
          ready: /listening on (http:\/\/\S+)/,
          ...(options.onLine === undefined
            ? {}
            : { onLine: (line: string) => options.onLine?.(name, line) }),
        })
        return { name, url: ready, process }
      }),
    )
    const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    const failed = started.find((s) => s.status === 'rejected')
    if (failed !== undefined) {
      await Promise.all(instances.map((i) => i.process.stop()))
      throw failed.reason
    }
    return new CheckoutFleet(instances)
  }

  get urls(): string[] {
    return this.instances.map((i) => i.url)
  }

  /** Stops every instance (SIGTERM: they finish requests in flight and flush their signals). */
  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.process.stop()))
  }
}
