const ALL = Symbol('all')

type Listener<E> = (event: E) => void

/**
 * Typed events told apart by their `type`. Every listener runs inside its
 * own try/catch: one that throws is handed to `onListenerError` and the
 * others still run. Listener lists are copied on write, so a listener added
 * or removed while an event is delivered takes effect from the next event.
 * A few lines of its own rather than an emitter library: it sits on the
 * browser's path, where every kilobyte counts.
 */
export class SafeEmitter<E extends { type: string }> {
  #listeners: readonly [channel: string | symbol, listener: Listener<E>][] = []
  readonly #onListenerError: (error: unknown, event: E) => void

  constructor(onListenerError: (error: unknown, event: E) => void) {
    this.#onListenerError = onListenerError
  }

  /** Listens to one type of event; returns the function that stops listening. */
  on<T extends E['type']>(type: T, listener: (event: Extract<E, { type: T }>) => void): () => void {
    return this.#add(type, listener as Listener<E>)
  }

  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: (event: E) => void): () => void {
    return this.#add(ALL, listener)
  }

  emit(event: E): void {
    // Typed listeners first, then the ones of every event, as each was added.
    const listeners = this.#listeners
    for (const channel of [event.type, ALL]) {
      for (const [on, listener] of listeners) {
        if (on !== channel) continue
        try {
          listener(event)
        } catch (error) {
          this.#onListenerError(error, event)
        }
      }
    }
  }

  #add(channel: string | symbol, listener: Listener<E>): () => void {
    // An entry per call, so that the same function added twice is removed once per unsubscribe.
    const entry: [string | symbol, Listener<E>] = [channel, listener]
    this.#listeners = [...this.#listeners, entry]
    return () => {
      this.#listeners = this.#listeners.filter((e) => e !== entry)
    }
  }
}
