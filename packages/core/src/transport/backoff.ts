/** Options of `Backoff`. */
export interface BackoffOptions {
  /** The ceiling of the first delay, in ms. Default 1000. */
  initialMs?: number
  /** The largest ceiling, in ms. Default 30000. */
  maxMs?: number
  /** A number in [0, 1). Default `Math.random`. */
  random?: () => number
}

/**
 * Exponential backoff with full jitter: the n-th delay in a row is uniform in
 * [0, min(maxMs, initialMs · 2^n)). Full jitter spreads the reconnections of
 * a whole fleet after a server restart instead of synchronising them.
 */
export class Backoff {
  #attempt = 0
  readonly #initialMs: number
  readonly #maxMs: number
  readonly #random: () => number

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 1000
    this.#maxMs = Math.max(this.#initialMs, options.maxMs ?? 30_000)
    this.#random = options.random ?? Math.random
  }

  /** The delay before the next attempt; each call raises the ceiling until `maxMs`. */
  next(): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 30))
    this.#attempt++
    return Math.floor(this.#random() * ceiling)
  }

  /** The largest delay, for failures that retrying soon cannot fix (a rejected token). */
  max(): number {
    this.#attempt++
    return Math.floor(this.#maxMs / 2 + (this.#random() * this.#maxMs) / 2)
  }

  /** Attempts in a row since the last success. */
  get failures(): number {
    return this.#attempt
  }

  /** After a success: the next delay is short again. */
  reset(): void {
    this.#attempt = 0
  }
}
