import { HttpResponse } from 'msw'

/** An SSE response body the test writes to. */
export function sseBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
  })
  const encoder = new TextEncoder()
  return {
    response: () => new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } }),
    send(text: string) {
      controller.enqueue(encoder.encode(text))
    },
    event(event: string, data: unknown, id?: number) {
      this.send(
        `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`,
      )
    },
    end() {
      controller.close()
    },
  }
}
