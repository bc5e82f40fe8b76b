import type { FlagState } from '@floodgate/example-express-checkout'

/** What the watch knows about one instance. */
export interface InstanceWatch {
  name: string
  url: string
  /** The last state read; `undefined` before the first answer. */
  state: FlagState | undefined
  /** Epoch milliseconds of the first read that found it serving control only, after it had served treatment. */
  controlAt: number | undefined
}

/**
 * Polls every instance's `GET /flag-state` and notes, for each, when it went
 * back to serving control only (`percent` 0) after serving the treatment.
 * The time is that of the read that saw it, so it is late by at most one
 * polling interval plus one request.
 */
export class ControlWatch {
  readonly instances: InstanceWatch[]
  private timer: NodeJS.Timeout | undefined
  private readonly pending = new Set<string>()

  constructor(
    instances: { name: string; url: string }[],
    readonly intervalMs = 25,
  ) {
    this.instances = instances.map((i) => ({ ...i, state: undefined, controlAt: undefined }))
  }

  start(): this {
    this.timer ??= setInterval(() => {
      for (const instance of this.instances) void this.poll(instance)
    }, this.intervalMs)
    return this
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Every instance has been seen serving control only after serving treatment. */
  get allBackToControl(): boolean {
    return this.instances.every((i) => i.controlAt !== undefined)
  }

  /** The percents the instances serve now, as last read. */
  percents(): (number | undefined)[] {
    return this.instances.map((i) => i.state?.percent)
  }

  private async poll(instance: InstanceWatch): Promise<void> {
    // One read per instance at a time: a slow instance is not piled up on.
    if (this.pending.has(instance.name)) return
    this.pending.add(instance.name)
    try {
      const res = await fetch(`${instance.url}/flag-state`, { signal: AbortSignal.timeout(2000) })
      const state = (await res.json()) as FlagState
      const at = Date.now()
      if (state.percent > 0) {
        instance.controlAt = undefined
      } else if (instance.state !== undefined && instance.state.percent > 0) {
        instance.controlAt = at
      }
      instance.state = state
    } catch {
      // An instance that does not answer keeps its last state; the next poll tries again.
    } finally {
      this.pending.delete(instance.name)
    }
  }
}
