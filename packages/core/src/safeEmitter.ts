import { EventEmitter } from 'eventemitter3'

const ALL = Symbol('all')

/**
 * Typed events over eventemitter3 (which runs everywhere, unlike Node's
 * `events`), told apart by their `type`. Every listener runs inside its own
 * try/catch: one that throws is handed to `onListenerError` and the others
 * still run.
 */
export class SafeEmitter<E extends { type: string }> {
  private readonly emitter = new EventEmitter<string | symbol>()

  constructor(private readonly onListenerError: (error: unknown, event: E) => void) {}

  /** Listens to one type of event; returns the function that stops listening. */
  on<T extends E['type']>(type: T, listener: (event: Extract<E, { type: T }>) => void): () => void {
    return this.add(type, listener as (event: E) => void)
  }

  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: (event: E) => void): () => void {
    return this.add(ALL, listener)
  }

  emit(event: E): void {
    this.emitter.emit(event.type, event)
    this.emitter.emit(ALL, event)
  }

  private add(channel: string | symbol, listener: (event: E) => void): () => void {
    const safe = (event: E) => {
      try {
        listener(event)
      } catch (error) {
        this.onListenerError(error, event)
      }
    }
    this.emitter.on(channel, safe)
    return () => {
      this.emitter.off(channel, safe)
    }
  }
}
