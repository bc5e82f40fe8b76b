import type { Socket } from 'node:net'
import type { FastifyReply } from 'fastify'
import { HttpError } from './httpError'

/** One Server-Sent Events frame. */
export interface SseEvent {
  event?: string
  id?: string | number
  data?: string
  /** Reconnection delay hint for the client, in ms. */
  retry?: number
}

/** Serializes an SSE frame; `event` and `id` may not contain line breaks, and `data` is split per line. */
export function formatSseEvent(frame: SseEvent): string {
  let out = ''
  if (frame.id !== undefined) out += `id: ${checkField('id', String(frame.id))}\n`
  if (frame.event !== undefined) out += `event: ${checkField('event', frame.event)}\n`
  if (frame.retry !== undefined) out += `retry: ${Math.max(0, Math.trunc(frame.retry))}\n`
  if (frame.data !== undefined) {
    for (const line of frame.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`
  }
  return `${out}\n`
}

function checkField(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`an SSE ${name} cannot contain a line break`)
  return value
}

const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'close',
  'x-accel-buffering': 'no',
}

/**
 * An open SSE response, written straight to its socket. The head says
 * `Connection: close` and has neither `Content-Length` nor
 * `Transfer-Encoding`, so the body runs until the connection closes (RFC 9112
 * §6.3) and every frame is one `socket.write` of a buffer many streams share:
 * no chunk framing, no per-write cork and `nextTick` as in Node's
 * `ServerResponse`. Disables Nagle so a frame leaves at once, drops a client
 * that stops reading (its unsent buffer passes `maxBufferedBytes`) and runs
 * `onClose` once, however the stream ends.
 */
export class SseStream {
  private ended = false
  private readonly closeListeners: (() => void)[] = []

  private constructor(
    private readonly socket: Socket,
    private readonly maxBufferedBytes: number,
  ) {
    if (socket.destroyed) this.finish()
    else socket.on('close', () => this.finish())
  }

  /**
   * Opens a stream on a Fastify reply, keeping the headers hooks already set
   * (CORS, rate limits). A request of another method than `method` (a
   * `HEAD`) gets 405: the body of a stream is written past Node's response,
   * which alone knows to leave it out of a `HEAD`.
   */
  static open(
    reply: FastifyReply,
    maxBufferedBytes: number,
    method: 'GET' | 'POST' = 'GET',
  ): SseStream {
    if (reply.request.method !== method) {
      throw new HttpError(405, 'method_not_allowed', `this stream is opened with ${method}`, {
        headers: { Allow: method },
      })
    }
    reply.hijack()
    const socket = reply.raw.socket
    if (socket === null) throw new Error('the stream request has no socket')
    if (!socket.destroyed) {
      socket.setNoDelay(true)
      socket.write(formatHead({ ...reply.getHeaders(), ...SSE_HEADERS }))
    }
    return new SseStream(socket, maxBufferedBytes)
  }

  get closed(): boolean {
    return this.ended
  }

  onClose(listener: () => void): void {
    if (this.ended) listener()
    else this.closeListeners.push(listener)
  }

  /** Writes an already serialized frame (the same buffer can go to many streams). */
  write(chunk: Buffer | string): void {
    if (this.ended || !this.socket.writable) return
    this.socket.write(chunk)
    if (this.socket.writableLength > this.maxBufferedBytes) this.socket.destroy()
  }

  /** Writes several frames in one system call. */
  writeAll(chunks: readonly (Buffer | string)[]): void {
    if (this.ended || !this.socket.writable) return
    this.socket.cork()
    for (const chunk of chunks) this.socket.write(chunk)
    this.socket.uncork()
    if (this.socket.writableLength > this.maxBufferedBytes) this.socket.destroy()
  }

  /** Ends the stream, first telling the client when to reconnect. */
  close(retryMs?: number): void {
    if (this.ended) return
    const socket = this.socket
    const last = retryMs === undefined ? '' : formatSseEvent({ retry: retryMs })
    // As Node does for its own `Connection: close` responses: the socket goes
    // as soon as the last bytes are handed to the kernel, which still delivers
    // them and the FIN.
    socket.end(last, () => socket.destroy())
    this.finish()
  }

  private finish(): void {
    if (this.ended) return
    this.ended = true
    for (const listener of this.closeListeners.splice(0)) listener()
  }
}

function formatHead(headers: Record<string, string | number | string[] | undefined>): string {
  let head = `HTTP/1.1 200 OK\r\ndate: ${new Date().toUTCString()}\r\n`
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) head += `${name}: ${item}\r\n`
  }
  return `${head}\r\n`
}
