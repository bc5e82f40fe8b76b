// Benchmark client process: holds a share of the SSE connections and reports when each patch arrived.
import { request } from 'node:http'

const { url, token, count } = JSON.parse(process.argv[2])
const now = () => performance.timeOrigin + performance.now()
/** version -> arrival times, one per connection */
const arrivals = new Map()
let puts = 0

// A busy server may reset a connection while thousands open at once: such a
// connection is retried a few times before the run is declared failed.
function connect(attempt) {
  const req = request(`${url}/v1/sdk/stream`, {
    agent: false,
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
  })
  let responded = false
  req.on('response', (res) => {
    responded = true
    res.setEncoding('utf8')
    let tail = ''
    let gotPut = false
    let lastVersion = 0
    res.on('data', (chunk) => {
      const at = now()
      const text = tail + chunk
      if (!gotPut && text.includes('event: put')) {
        gotPut = true
        if (++puts === count) process.send({ type: 'ready' })
      }
      // Patches are small and start with their id line; scan for every "id: N\nevent: patch".
      for (const match of text.matchAll(/id: (\d+)\nevent: patch/g)) {
        const version = Number(match[1])
        // The tail is scanned again with the next chunk: count each version once per connection.
        if (version <= lastVersion) continue
        lastVersion = version
        const times = arrivals.get(version) ?? []
        times.push(at)
        arrivals.set(version, times)
      }
      tail = text.slice(-40)
    })
  })
  req.on('error', (error) => {
    if (!responded && attempt < 5) setTimeout(() => connect(attempt + 1), 200 * attempt)
    else process.send({ type: 'error', message: String(error) })
  })
  req.end()
}

for (let i = 0; i < count; i++) connect(1)

process.on('message', (message) => {
  if (message.type !== 'collect') return
  const deadline = now() + 10_000
  const check = () => {
    const times = arrivals.get(message.version) ?? []
    if (times.length >= count || now() > deadline) {
      process.send({ type: 'arrivals', version: message.version, times })
    } else setTimeout(check, 5)
  }
  check()
})
