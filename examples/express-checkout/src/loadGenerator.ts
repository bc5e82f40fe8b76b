import type { CheckoutName, CheckoutResponse } from './checkoutApp'

/** Options of `LoadGenerator`. */
export interface LoadGeneratorOptions {
  /** Base URLs of checkout instances; requests go round-robin. */
  targets: string[]
  /** Requests per second over all targets. Default 100. */
  ratePerSec?: number
  /** Distinct users drawn at random (`user-0` … `user-<users-1>`). Default 5000. */
  users?: number
  /** Requests in flight beyond which new ones are skipped (and counted), so a stalled target cannot pile them up. Default 200. */
  maxInFlight?: number
  /** Called with every completed request. */
  onResult?: (result: LoadResult) => void
}

/** One completed request. */
export interface LoadResult {
  /** Epoch milliseconds when the request was sent. */
  sentAt: number
  /** Epoch milliseconds when the response arrived. */
  at: number
  target: string
  userId: string
  /** `null` when the request itself failed (connection refused, a body that is not a checkout). */
  checkout: CheckoutName | null
  ok: boolean
  status: number | null
}

/** Counts for one checkout. */
export interface CheckoutCounts {
  requests: number
  failures: number
}

/** What a `LoadGenerator` has seen since it started or was last reset. */
export interface LoadStats {
  new: CheckoutCounts
  legacy: CheckoutCounts
  /** Requests that got no checkout answer at all. */
  transportErrors: number
  /** Requests not sent because `maxInFlight` were pending. */
  skipped: number
}

const TICK_MS = 10

/**
 * Sends checkout requests from many distinct users at a steady rate and
 * counts what each checkout answered.
 *
 * @example
 * const load = new LoadGenerator({ targets: ['http://127.0.0.1:3000'], ratePerSec: 200 })
 * load.start()
 * // …
 * await load.stop()
 * console.log(load.stats())
 */
export class LoadGenerator {
  private readonly targets: string[]
  private readonly ratePerSec: number
  private readonly users: number
  private readonly maxInFlight: number
  private readonly onResult: ((result: LoadResult) => void) | undefined
  private counts: LoadStats = emptyStats()
  private readonly inFlight = new Set<Promise<void>>()
  private timer: NodeJS.Timeout | undefined
  private next = 0
  private owed = 0

  constructor(options: LoadGeneratorOptions) {
    if (options.targets.length === 0) throw new Error('LoadGenerator: give at least one target')
    this.targets = options.targets.map((t) => t.replace(/\/+$/, ''))
    this.ratePerSec = options.ratePerSec ?? 100
    this.users = options.users ?? 5000
    this.maxInFlight = options.maxInFlight ?? 200
    this.onResult = options.onResult
  }

  /** Starts sending. Idempotent. */
  start(): this {
    if (this.timer === undefined) {
      let last = performance.now()
      this.timer = setInterval(() => {
        const now = performance.now()
        // Owed requests follow the elapsed time, so a late tick catches up.
        this.owed += ((now - last) * this.ratePerSec) / 1000
        last = now
        for (; this.owed >= 1; this.owed--) this.send()
      }, TICK_MS)
    }
    return this
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    this.owed = 0
    await Promise.all(this.inFlight)
  }

  /** The counts so far. */
  stats(): LoadStats {
    return structuredClone(this.counts)
  }

  /** Starts counting afresh. */
  resetStats(): void {
    this.counts = emptyStats()
  }

  private send(): void {
    if (this.inFlight.size >= this.maxInFlight) {
      this.counts.skipped++
      return
    }
    const target = this.targets[this.next++ % this.targets.length] as string
    const userId = `user-${Math.floor(Math.random() * this.users)}`
    const request = this.request(target, userId).finally(() => this.inFlight.delete(request))
    this.inFlight.add(request)
  }

  private async request(target: string, userId: string): Promise<void> {
    let result: LoadResult
    const sentAt = Date.now()
    try {
      const res = await fetch(`${target}/checkout?userId=${encodeURIComponent(userId)}`, {
        signal: AbortSignal.timeout(5000),
      })
      const body = (await res.json()) as Partial<CheckoutResponse>
      const checkout = body.checkout === 'new' || body.checkout === 'legacy' ? body.checkout : null
      result = { sentAt, at: Date.now(), target, userId, checkout, ok: res.ok, status: res.status }
    } catch {
      result = { sentAt, at: Date.now(), target, userId, checkout: null, ok: false, status: null }
    }
    if (result.checkout === null) {
      this.counts.transportErrors++
    } else {
      const counts = this.counts[result.checkout]
      counts.requests++
      if (!result.ok) counts.failures++
    }
    this.onResult?.(result)
  }
}

function emptyStats(): LoadStats {
  return {
    new: { requests: 0, failures: 0 },
    legacy: { requests: 0, failures: 0 },
    transportErrors: 0,
    skipped: 0,
  }
}
