// Benchmark client process: holds a share of the SSE connections on raw sockets and reports when
// each patch arrived. It reads only what it needs (the status line, the `put`, each patch's id), so
// that the clients, which share the machine with the server, take as little CPU from it as they can.
import { connect } from 'node:net'

const { url, token, count, path = '/v1/sdk/stream' } = JSON.parse(process.argv[2])
const { hostname, port } = new URL(url)
const request = Buffer.from(
  `GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nauthorization: Bearer ${token}\r\naccept: text/event-stream\r\n\r\n`,
)
const PATCH = /id: (\d+)\nevent: patch/g
const now = () => performance.timeOrigin + performance.now()
/** version -> arrival times, one per connection */
const arrivals = new Map()
let puts = 0

// Every socket reads into this one buffer and is handled synchronously from it (`onread`), which
// skips the readable-stream machinery and a buffer allocation per read.
const readBuffer = Buffer.alloc(64 * 1024)

function open() {
  let head = true
  let gotPut = false
  let lastVersion = 0
  let tail = ''
  const socket = connect({
    host: hostname,
    port: Number(port),
    noDelay: true,
    onread: {
      buffer: readBuffer,
      callback(length, buffer) {
        const at = now()
        // Latin-1 is the cheapest decoding and keeps the ASCII this scans for intact.
        const text = tail + buffer.toString('latin1', 0, length)
        if (head) {
          if (!text.startsWith('HTTP/1.1 200')) {
            process.send({ type: 'error', message: `stream refused: ${text.split('\r\n')[0]}` })
            socket.destroy()
            return
          }
          head = false
        }
        if (!gotPut && text.includes('event: put')) {
          gotPut = true
          if (++puts === count) process.send({ type: 'ready' })
        }
        for (const match of text.matchAll(PATCH)) {
          const version = Number(match[1])
          // The tail is scanned again with the next read: count each version once per connection.
          if (version <= lastVersion) continue
          lastVersion = version
          const times = arrivals.get(version)
          if (times) times.push(at)
          else arrivals.set(version, [at])
        }
        tail = text.length > 40 ? text.slice(-40) : text
      },
    },
  })
  socket.on('error', (error) => process.send({ type: 'error', message: String(error) }))
  socket.write(request)
}

for (let i = 0; i < count; i++) open()

process.on('message', (message) => {
  if (message.type === 'cpu') process.send({ type: 'cpu', usage: process.cpuUsage() })
  if (message.type !== 'collect') return
  const deadline = now() + 10_000
  const check = () => {
    const times = arrivals.get(message.version) ?? []
    if (times.length >= count || now() > deadline) {
      arrivals.delete(message.version)
      process.send({ type: 'arrivals', version: message.version, times })
    } else setTimeout(check, 5)
  }
  check()
})
