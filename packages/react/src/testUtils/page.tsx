import { HttpResponse } from 'msw'
import type { ReactNode } from 'react'
import { Flag } from '../Flag'

/** An SSE response body the test writes to. */
export function sseStream(signal: AbortSignal) {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  // A handler that awaited the request body may only get here after the client gave up.
  let closed = signal.aborted
  signal.addEventListener('abort', () => {
    closed = true
  })
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
  })
  const encoder = new TextEncoder()
  return {
    get closed() {
      return closed
    },
    response: () => new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } }),
    event(event: string, data: unknown, id: number) {
      controller.enqueue(
        encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      )
    },
  }
}

/** Makes the page visible or hidden, as a tab switch does. */
export function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
  document.dispatchEvent(new Event('visibilitychange'))
}

function Checkout({ broken = false }: { broken?: boolean }): ReactNode {
  if (broken) throw new Error('new checkout broke')
  return <p>new checkout</p>
}

/** A checkout page: the new checkout behind `new-checkout`, which throws when `broken`. */
export function App({ broken }: { broken?: boolean }) {
  return (
    <Flag name="new-checkout" fallback={<p>legacy checkout</p>}>
      <Checkout broken={broken ?? false} />
    </Flag>
  )
}
