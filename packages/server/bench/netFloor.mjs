// The bare net floor: the kill fan-out with nothing but `node:net`. Accepts the same clients, answers
// every request with an SSE head and a `put`, and on each `fanout` message writes one patch-sized
// frame to every socket. What it measures is what this machine allows, whatever the server does.
import { createServer } from 'node:net'

const sockets = new Set()
const HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n'
const server = createServer({ noDelay: true }, (socket) => {
  socket.once('data', () => {
    sockets.add(socket)
    socket.write(`${HEAD}id: 0\nevent: put\ndata: {}\n\n`)
  })
  socket.on('close', () => sockets.delete(socket))
  socket.on('error', () => {})
})
server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'ready', url: `http://127.0.0.1:${server.address().port}` })
})

process.on('message', (message) => {
  if (message.type === 'fanout') {
    const prefix = `id: ${message.version}\nevent: patch\ndata: `
    const frame = Buffer.from(
      `${prefix}${'x'.repeat(Math.max(0, message.bytes - prefix.length - 2))}\n\n`,
    )
    const started = performance.now()
    for (const socket of sockets) socket.write(frame)
    process.send({ type: 'fanned', durationMs: performance.now() - started })
  } else if (message.type === 'cpu') {
    process.send({ type: 'cpu', usage: process.cpuUsage() })
  } else if (message.type === 'memory') {
    process.send({ type: 'memory', usage: process.memoryUsage() })
  } else if (message.type === 'stop') {
    for (const socket of sockets) socket.destroy()
    server.close(() => process.exit(0))
  }
})
