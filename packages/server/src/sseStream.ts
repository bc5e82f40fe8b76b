import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'

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

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
}

/**
 * An open SSE response. Takes the raw response over from Fastify, disables
 * Nagle so a frame leaves at once, drops a client that stops reading (its
 * unsent buffer passes `maxBufferedBytes`) and runs `onClose` once, however
 * the stream ends.
 */
export class SseStream {
  private ended = false
  private readonly closeListeners: (() => void)[] = []

  private constructor(
    private readonly response: ServerResponse,
    private readonly maxBufferedBytes: number,
  ) {
    response.on('close', () => this.finish())
  }

  /** Opens a stream on a Fastify reply, keeping the headers hooks already set (CORS). */
  static open(reply: FastifyReply, maxBufferedBytes: number): SseStream {
    reply.hijack()
    const response = reply.raw
    const headers = { ...reply.getHeaders(), ...SSE_HEADERS }
    response.writeHead(200, headers as Record<string, string>)
    response.socket?.setNoDelay(true)
    response.flushHeaders()
    return new SseStream(response, maxBufferedBytes)
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
    if (this.ended) return
    this.response.write(chunk)
    if (this.response.writableLength > this.maxBufferedBytes) this.response.destroy()
  }

  /** Ends the stream, first telling the client when to reconnect. */
  close(retryMs?: number): void {
    if (this.ended) return
    this.response.end(retryMs === undefined ? undefined : formatSseEvent({ retry: retryMs }))
    this.finish()
  }

  private finish(): void {
    if (this.ended) return
    this.ended = true
    for (const listener of this.closeListeners.splice(0)) listener()
  }
}
