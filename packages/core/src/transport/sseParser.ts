/** One event of a Server-Sent Events stream. */
export interface SseMessage {
  /** The `event:` field; absent for the default (`message`). */
  event?: string
  data: string
}

/** What a parser hands over. */
export interface SseHandlers {
  onEvent(message: SseMessage): void
  /** A comment line (`: heartbeat`), without its colon and one leading space. */
  onComment?(comment: string): void
  /** A valid `retry:` field, in ms. */
  onRetry?(ms: number): void
}

/**
 * An incremental Server-Sent Events parser, as the WHATWG spec reads an
 * `text/event-stream`: lines end in CRLF, LF or CR (split anywhere across
 * chunks), a blank line dispatches, `data:` lines join with LF. `id:` is
 * not reported: no client here resumes by event id (the local one resumes
 * from the version it holds, the remote one gets a fresh `put`). Feed it text from a `TextDecoder` (which drops the
 * BOM). A few dozen lines instead of eventsource-parser, for the browser's
 * bundle; a test holds it to that library's output, however the stream is
 * chunked.
 */
export function createSseParser(handlers: SseHandlers): { feed(chunk: string): void } {
  let buffer = ''
  let data: string | undefined
  let event: string | undefined

  const line = (text: string) => {
    if (text === '') {
      if (data !== undefined) {
        handlers.onEvent(event ? { event, data } : { data })
      }
      data = undefined
      event = undefined
      return
    }
    const colon = text.indexOf(':')
    if (colon === 0) {
      handlers.onComment?.(text.startsWith(' ', 1) ? text.slice(2) : text.slice(1))
      return
    }
    const field = colon < 0 ? text : text.slice(0, colon)
    let value = colon < 0 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') data = data === undefined ? value : `${data}\n${value}`
    else if (field === 'event') event = value
    else if (field === 'retry' && /^\d+$/.test(value)) handlers.onRetry?.(Number(value))
  }

  return {
    feed(chunk) {
      buffer += chunk
      let start = 0
      // The next CR and LF at or after `start`, searched again only once passed: one scan per chunk.
      let lf = buffer.indexOf('\n')
      let cr = buffer.indexOf('\r')
      for (;;) {
        if (lf >= 0 && lf < start) lf = buffer.indexOf('\n', start)
        if (cr >= 0 && cr < start) cr = buffer.indexOf('\r', start)
        if (cr >= 0 && (lf < 0 || cr < lf)) {
          // A CR last in the buffer may be the first half of a CRLF: wait for the next chunk.
          if (cr === buffer.length - 1) break
          line(buffer.slice(start, cr))
          start = buffer[cr + 1] === '\n' ? cr + 2 : cr + 1
        } else if (lf >= 0) {
          line(buffer.slice(start, lf))
          start = lf + 1
        } else {
          break
        }
      }
      buffer = buffer.slice(start)
    },
  }
}
