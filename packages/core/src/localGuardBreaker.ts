/**
 * The local guard of one flag version in this process: a circuit breaker
 * over the treatment's outcomes. It trips once the treatment has at least
 * `minErrors` errors and an error rate (errors over errors plus successes)
 * above `maxErrorRate`; a tripped breaker stays tripped, and a newer version
 * of the flag gets a fresh one.
 */
export class LocalGuardBreaker {
  errors = 0
  successes = 0
  tripped = false

  constructor(
    readonly minErrors: number,
    readonly maxErrorRate: number,
    /** Variant index of the rollout's treatment. */
    readonly treatment: number,
    /** Variant index served instead once tripped. */
    readonly control: number,
  ) {}

  /** Records one outcome of the treatment; `true` when this outcome trips the breaker. */
  record(ok: boolean): boolean {
    if (this.tripped) return false
    if (ok) {
      this.successes++
      return false
    }
    this.errors++
    if (
      this.errors >= this.minErrors &&
      this.errors / (this.errors + this.successes) > this.maxErrorRate
    ) {
      this.tripped = true
    }
    return this.tripped
  }
}
