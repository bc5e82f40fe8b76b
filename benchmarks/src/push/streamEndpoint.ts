import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What a minimal stream endpoint sends: the frames of one protocol. */
export interface StreamProtocol {
  /** Whether a request opens a stream. */
  isStream(request: IncomingMessage): boolean
  /** The first frame of a new stream, with the flag in its current state. */
  initial(on: boolean, version: number): string
  /** The frame that tells every stream the flag changed. */
  change(on: boolean, version: number): string
}

/** A local endpoint that keeps every stream open and writes one frame to all of them per change. */
export interface StreamEndpoint {
  url: string
  /** Flips the flag and writes the change to every open stream. */
  change(): Promise<void>
  close(): Promise<void>
}

/** Formats one Server-Sent Event. */
export function sseEvent(name: string, data: unknown, id?: number): string {
  return `event: ${name}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`
}

/**
 * Serves `protocol` on 127.0.0.1 with no storage, no authentication and no
 * fan-out layer: a change is an HTTP request that writes the frame to every
 * stream before it answers. The flag starts on, at version 1.
 */
export async function startStreamEndpoint(protocol: StreamProtocol): Promise<StreamEndpoint> {
  const streams = new Set<ServerResponse>()
  let on = true
  let version = 1
  const server = createServer((request, response) => {
    if (request.method === 'GET' && protocol.isStream(request)) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      response.write(protocol.initial(on, version))
      streams.add(response)
      request.on('close', () => streams.delete(response))
      return
    }
    if (request.method === 'POST' && request.url === '/change') {
      on = !on
      version++
      const frame = protocol.change(on, version)
      for (const stream of streams) stream.write(frame)
      response.writeHead(204).end()
      return
    }
    response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    async change() {
      const response = await fetch(`${url}/change`, { method: 'POST' })
      if (response.status !== 204) throw new Error(`POST /change: ${response.status}`)
    },
    async close() {
      for (const stream of streams) stream.end()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
