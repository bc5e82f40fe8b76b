// `pnpm bench`: snapshot throughput and kill-switch fan-out of the built server. See docs/benchmarks.md.
//   --fanout              only the kill-switch fan-out (skips the snapshot throughput)
//   --streams 1000,10000  stream counts to measure
//   --rounds 5            kills per stream count
//   --clients 2           client processes holding the streams
//   --only server|floor   only the server rows, or only the bare net floor rows
//   --cpu-prof DIR        write V8 CPU profiles of the server and the floor processes into DIR
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { onMessage, percentile } from './benchSetup.mjs'

const { values: args } = parseArgs({
  options: {
    fanout: { type: 'boolean', default: false },
    streams: { type: 'string', default: '1000,10000' },
    rounds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '2' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
})
const here = new URL('.', import.meta.url)
const now = () => performance.timeOrigin + performance.now()
const CLIENT_PROCESSES = Number(args.clients)
const ROUNDS = Number(args.rounds)
const STREAM_COUNTS = args.streams.split(',').map(Number)
const cpuProf = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : []
// The floor writes frames the size of the server's patch; this is it for the bench snapshot's flags.
let patchBytes = 700

function ask(child, type) {
  const reply = onMessage(child, type)
  child.send({ type })
  return reply
}

const median = (values) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  )

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

/** The Floodgate server: a round is a kill (or unkill) over the admin API. */
function serverTarget(proc, ready) {
  // Alternates across rounds, so that every round really changes the flag.
  let killed = false
  return {
    name: 'server',
    proc,
    url: ready.url,
    token: ready.token,
    async round() {
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
      return { started, version: environmentVersion }
    },
    async fanout(version) {
      const { fanouts } = await ask(proc, 'fanouts')
      const own = fanouts.find((f) => f.version === version && f.audience === 'server')
      if (own) patchBytes = own.bytes
      return own
    },
  }
}

/** The bare net floor: a round is one IPC message, and the floor writes a patch to every socket. */
function floorTarget(proc, ready) {
  let version = 0
  let last
  return {
    name: 'bare net floor',
    proc,
    url: ready.url,
    token: 'none',
    async round() {
      version++
      const started = now()
      const reply = onMessage(proc, 'fanned')
      proc.send({ type: 'fanout', version, bytes: patchBytes })
      last = { ...(await reply), startedAt: started }
      return { started, version }
    },
    async fanout() {
      return last
    },
  }
}

async function fanOut(target, streams) {
  const before = (await ask(target.proc, 'memory')).usage
  const share = Math.ceil(streams / CLIENT_PROCESSES)
  const children = []
  for (let i = 0; i < CLIENT_PROCESSES; i++) {
    const count = Math.min(share, streams - i * share)
    if (count <= 0) break
    const child = fork(new URL('sseClients.mjs', here), [
      JSON.stringify({ url: target.url, token: target.token, count }),
    ])
    children.push({ child, count })
  }
  await Promise.all(children.map(({ child }) => onMessage(child, 'ready')))
  const after = (await ask(target.proc, 'memory')).usage

  const latencies = []
  const cpuMs = []
  const clientCpuMs = []
  const cpuOfClients = async () =>
    (await Promise.all(children.map(({ child }) => ask(child, 'cpu')))).reduce(
      (sum, { usage }) => sum + usage.user + usage.system,
      0,
    )
  const writeMs = []
  const toFanoutMs = []
  let missing = 0
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise((r) => setTimeout(r, 300))
    const cpuBefore = (await ask(target.proc, 'cpu')).usage
    const clientCpuBefore = await cpuOfClients()
    const { started, version } = await target.round()
    const reports = await Promise.all(
      children.map(async ({ child }) => {
        const reply = onMessage(child, 'arrivals')
        child.send({ type: 'collect', version })
        return reply
      }),
    )
    const cpuAfter = (await ask(target.proc, 'cpu')).usage
    clientCpuMs.push(((await cpuOfClients()) - clientCpuBefore) / 1000)
    cpuMs.push((cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000)
    const fanout = await target.fanout(version)
    if (fanout) {
      writeMs.push(fanout.durationMs)
      toFanoutMs.push(fanout.startedAt - started)
    }
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
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    maxms: latencies.at(-1),
    missing,
    toFanoutMs: median(toFanoutMs),
    writeMs: median(writeMs),
    cpuMs: median(cpuMs),
    clientCpuMs: median(clientCpuMs),
    rssPerStreamKiB: (after.rss - before.rss) / streams / 1024,
    heapPerStreamKiB: (after.heapUsed - before.heapUsed) / streams / 1024,
  }
}

const table = [
  '| target | streams | kill → patch p50 (ms) | p99 (ms) | max (ms) | missed | request → fan-out (ms) | write loop (ms) | server CPU per kill (ms) | client CPU per kill (ms) | RSS per stream (KiB) | heap per stream (KiB) | load |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
]
const fixed = (value, digits) => (value === undefined ? '—' : value.toFixed(digits))
const row = (target, r) =>
  `| ${target} | ${r.streams} | ${fixed(r.p50ms, 1)} | ${fixed(r.p99ms, 1)} | ${fixed(r.maxms, 1)} | ${r.missing} | ${fixed(r.toFanoutMs, 1)} | ${fixed(r.writeMs, 1)} | ${fixed(r.cpuMs, 0)} | ${fixed(r.clientCpuMs, 0)} | ${fixed(r.rssPerStreamKiB, 1)} | ${fixed(r.heapPerStreamKiB, 1)} | ${loadavg()[0].toFixed(1)} |`

console.log(
  `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model}); ${ROUNDS} rounds, ${CLIENT_PROCESSES} client processes; load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
)

if (args.only !== 'floor') {
  const proc = fork(new URL('server.mjs', here), [], { execArgv: ['--expose-gc', ...cpuProf] })
  const ready = await onMessage(proc, 'ready')
  const probe = await fetch(`${ready.url}/v1/sdk/snapshot`, {
    headers: { authorization: `Bearer ${ready.token}` },
  })
  const etag = probe.headers.get('etag')
  console.log(`snapshot of 50 flags, ${(await probe.arrayBuffer()).byteLength} bytes`)
  if (!args.fanout) {
    const throughput = await snapshotThroughput(ready.url, ready.token, etag)
    console.log('\n| snapshot | requests/s | p99 latency (ms) | errors |\n|---|---|---|---|')
    for (const [name, r] of Object.entries(throughput)) {
      console.log(`| ${name} | ${r.rps} | ${r.p99ms} | ${r.errors} |`)
    }
    console.log()
  }
  const target = serverTarget(proc, ready)
  const rows = []
  for (const streams of STREAM_COUNTS) rows.push(row('server', await fanOut(target, streams)))
  proc.send({ type: 'stop' })
  await once(proc, 'exit')
  table.push(...rows)
}

if (args.only !== 'server') {
  const proc = fork(new URL('netFloor.mjs', here), [], { execArgv: cpuProf })
  const target = floorTarget(proc, await onMessage(proc, 'ready'))
  for (const streams of STREAM_COUNTS) {
    const r = await fanOut(target, streams)
    // The floor's memory is not the server's, and it has no request before its fan-out.
    const none = { rssPerStreamKiB: undefined, heapPerStreamKiB: undefined, toFanoutMs: undefined }
    table.push(row('bare net floor', { ...r, ...none }))
  }
  proc.send({ type: 'stop' })
  await once(proc, 'exit')
}

console.log(`\n${table.join('\n')}`)
