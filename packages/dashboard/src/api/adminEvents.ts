import { createParser } from 'eventsource-parser'
import type { AdminApi } from './adminApi'
import type { AuditEntry, RolloutEvent } from './types'

/** One event of `GET /v1/admin/stream`: a committed change (an audit entry) or a rollout event. */
export type AdminEvent =
  | { type: 'change'; entry: AuditEntry }
  | { type: 'rollout'; event: RolloutEvent }

/** Where the stream stands: connecting (or reconnecting), live, or refused (the token no longer works). */
export type AdminStreamStatus =
  | { status: 'connecting'; attempt: number }
  | { status: 'live' }
  | { status: 'refused'; detail: string }

/** Options of {@link AdminEvents}. */
export interface AdminEventsOptions {
  /** First reconnect delay in ms, doubled per failure. Default 500. */
  minDelayMs?: number
  /** Largest reconnect delay in ms. Default 15000. */
  maxDelayMs?: number
}

/**
 * Follows the admin event stream over `fetch` (an `EventSource` cannot send
 * the admin token as a header), reconnecting with backoff and `Last-Event-ID`
 * so that changes made while it was away are caught up. A 401 or 403 stops it.
 *
 * @example
 * const events = new AdminEvents(api)
 * const stop = events.subscribe((event) => console.log(event))
 * events.start()
 */
export class AdminEvents {
  private readonly listeners = new Set<(event: AdminEvent) => void>()
  private readonly statusListeners = new Set<() => void>()
  private current: AdminStreamStatus = { status: 'connecting', attempt: 0 }
  private lastEventId: string | undefined
  private abort: AbortController | undefined
  private timer: ReturnType<typeof setTimeout> | undefined
  private running = false

  constructor(
    private readonly api: AdminApi,
    private readonly options: AdminEventsOptions = {},
  ) {}

  /** Listens to events; returns the function that stops listening. */
  subscribe(listener: (event: AdminEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Listens to status changes (for `useSyncExternalStore`); returns the function that stops listening. */
  subscribeStatus(listener: () => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /** The current status; the same object until it changes. */
  getStatus(): AdminStreamStatus {
    return this.current
  }

  start(): void {
    if (this.running) return
    this.running = true
    void this.connect(0)
  }

  stop(): void {
    this.running = false
    clearTimeout(this.timer)
    this.abort?.abort()
  }

  private setStatus(status: AdminStreamStatus): void {
    this.current = status
    for (const listener of this.statusListeners) listener()
  }

  private async connect(attempt: number): Promise<void> {
    if (!this.running) return
    this.setStatus({ status: 'connecting', attempt })
    const abort = new AbortController()
    this.abort = abort
    let received = false
    try {
      const response = await fetch(`${this.api.baseUrl}/v1/admin/stream`, {
        headers: {
          authorization: `Bearer ${this.api.token}`,
          accept: 'text/event-stream',
          ...(this.lastEventId === undefined ? {} : { 'last-event-id': this.lastEventId }),
        },
        signal: abort.signal,
      })
      if (response.status === 401 || response.status === 403) {
        this.running = false
        this.setStatus({ status: 'refused', detail: `the server answered ${response.status}` })
        return
      }
      if (!response.ok || !response.body) throw new Error(`status ${response.status}`)
      this.setStatus({ status: 'live' })
      const parser = createParser({
        onEvent: (message) => {
          received = true
          if (message.id) this.lastEventId = message.id
          const event = toEvent(message.event, message.data)
          if (event) for (const listener of this.listeners) listener(event)
        },
      })
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(value)
      }
    } catch {
      // A dropped connection or an aborted one: reconnect below unless stopped.
    }
    if (!this.running) return
    const next = received ? 0 : attempt + 1
    const min = this.options.minDelayMs ?? 500
    const delay = Math.min(this.options.maxDelayMs ?? 15_000, min * 2 ** Math.max(0, next - 1))
    this.setStatus({ status: 'connecting', attempt: next })
    this.timer = setTimeout(() => void this.connect(next), next === 0 ? min : delay)
  }
}

function toEvent(type: string | undefined, data: string): AdminEvent | undefined {
  try {
    if (type === 'change') return { type: 'change', entry: JSON.parse(data) as AuditEntry }
    if (type === 'rollout') return { type: 'rollout', event: JSON.parse(data) as RolloutEvent }
  } catch {
    // A frame that is not JSON is skipped; the next change still arrives.
  }
  return undefined
}
