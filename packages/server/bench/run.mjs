// `pnpm bench`: snapshot throughput and kill-switch fan-out of the built server. See docs/benchmarks.md.
//   --fanout              only the kill-switch fan-out (skips the snapshot throughput)
//   --streams 1000,10000  stream counts to measure
//   --rounds 5            kills per stream count
//   --clients 8           client processes holding the streams
//   --cpu-prof DIR        write a V8 CPU profile of the server process into DIR
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const { values: args } = parseArgs({
  options: {
    fanout: { type: 'boolean', default: false },
    streams: { type: 'string', default: '1000,10000' },
    rounds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '8' },
    'cpu-prof': { type: 'string' },
  },
})
const here = new URL('.', import.meta.url)
const now = () => performance.timeOrigin + performance.now()
const CLIENT_PROCESSES = Number(args.clients)
const ROUNDS = Number(args.rounds)
const STREAM_COUNTS = args.streams.split(',').map(Number)
// Alternates across phases, so that every round really changes the flag.
let killed = false

function onMessage(child, type) {
  return new Promise((resolve, reject) => {
    const listener = (message) => {
      if (message.type === 'error') reject(new Error(message.message))
      if (message.type !== type) return
      child.off('message', listener)
      resolve(message)
    }
    child.on('message', listener)
  })
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

async function snapshotThroughput(url, token, etag) {
  const results = {}
  for (const [name, headers] of [
    ['200', { authorization: `Bearer ${token}` }],
    ['304', { authorization: `Bearer ${token}`, 'if-none-match': etag }],
  ]) {
    const result = await autocannon({
      url: `${url}/v1/sdk/snapshot`,
      headers,
      connections: 50,
      duration: 10,
    })
    const ok = name === '200' ? result['2xx'] : result['3xx']
    results[name] = {
      rps: Math.round(result.requests.average),
      p99ms: result.latency.p99,
      ok,
      errors: result.errors + result.non2xx - (name === '304' ? result['3xx'] : 0),
    }
  }
  return results
}

async function fanOut(server, ready, streams) {
  server.send({ type: 'memory' })
  const before = (await onMessage(server, 'memory')).usage
  const share = Math.ceil(streams / CLIENT_PROCESSES)
  const children = []
  for (let i = 0; i < CLIENT_PROCESSES; i++) {
    const count = Math.min(share, streams - i * share)
    if (count <= 0) break
    const child = fork(new URL('sseClients.mjs', here), [
      JSON.stringify({ url: ready.url, token: ready.token, count }),
    ])
    children.push({ child, count })
  }
  await Promise.all(children.map(({ child }) => onMessage(child, 'ready')))
  server.send({ type: 'memory' })
  const after = (await onMessage(server, 'memory')).usage

  const latencies = []
  let missing = 0
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise((r) => setTimeout(r, 300))
    const action = killed ? 'unkill' : 'kill'
    killed = !killed
    const started = now()
    const res = await fetch(
      `${ready.url}/v1/admin/environments/production/flags/new-checkout/${action}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${ready.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'bench' }),
      },
    )
    const { environmentVersion } = await res.json()
    const reports = await Promise.all(
      children.map(async ({ child }) => {
        const reply = onMessage(child, 'arrivals')
        child.send({ type: 'collect', version: environmentVersion })
        return reply
      }),
    )
    reports.forEach((report, i) => {
      missing += children[i].count - report.times.length
      for (const at of report.times) latencies.push(at - started)
    })
  }
  for (const { child } of children) child.kill()
  await Promise.all(children.map(({ child }) => once(child, 'exit')))
  latencies.sort((a, b) => a - b)
  return {
    streams,
    rounds: ROUNDS,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    maxms: latencies.at(-1),
    missing,
    rssPerStreamKiB: (after.rss - before.rss) / streams / 1024,
    heapPerStreamKiB: (after.heapUsed - before.heapUsed) / streams / 1024,
  }
}

const server = fork(new URL('server.mjs', here), [], {
  execArgv: [
    '--expose-gc',
    ...(args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : []),
  ],
})
const ready = await onMessage(server, 'ready')
const probe = await fetch(`${ready.url}/v1/sdk/snapshot`, {
  headers: { authorization: `Bearer ${ready.token}` },
})
const etag = probe.headers.get('etag')
const snapshotBytes = (await probe.arrayBuffer()).byteLength

console.log(
  `Node ${process.version}, ${cpus().length} cores; snapshot of 50 flags, ${snapshotBytes} bytes`,
)
if (!args.fanout) {
  const throughput = await snapshotThroughput(ready.url, ready.token, etag)
  console.log('\n| snapshot | requests/s | p99 latency (ms) | errors |\n|---|---|---|---|')
  for (const [name, r] of Object.entries(throughput)) {
    console.log(`| ${name} | ${r.rps} | ${r.p99ms} | ${r.errors} |`)
  }
}

console.log(
  `\n| streams | rounds | kill → patch p50 (ms) | p99 (ms) | max (ms) | missed | RSS per stream (KiB) | heap per stream (KiB) |\n|---|---|---|---|---|---|---|---|`,
)
for (const streams of STREAM_COUNTS) {
  const r = await fanOut(server, ready, streams)
  console.log(
    `| ${r.streams} | ${r.rounds} | ${r.p50ms.toFixed(1)} | ${r.p99ms.toFixed(1)} | ${r.maxms.toFixed(1)} | ${r.missing} | ${r.rssPerStreamKiB.toFixed(1)} | ${r.heapPerStreamKiB.toFixed(1)} |`,
  )
}

server.send({ type: 'stop' })
await once(server, 'exit')
