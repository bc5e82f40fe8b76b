// `pnpm bench:replicas`: kill propagation across three `floodgate serve` replicas on one
// PostgreSQL database, each holding its share of the SDK streams. See docs/benchmarks.md.
import { fork, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { cpus } from 'node:os'
import autocannon from 'autocannon'
import pg from 'pg'
import { onMessage, percentile, seedBenchFlags } from './benchSetup.mjs'

const here = new URL('.', import.meta.url)
const ADMIN_URL =
  process.env.FLOODGATE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const REPLICAS = 3
const STREAMS_PER_REPLICA = Number(process.env.STREAMS_PER_REPLICA ?? 2000)
const CLIENT_PROCESSES_PER_REPLICA = 2
const ROUNDS = Number(process.env.ROUNDS ?? 10)
const SIGNALS_SECONDS = 10
const SIGNALS_CONNECTIONS = 20
const ADMIN = `fg_admin_${randomBytes(32).toString('base64url')}`
const now = () => performance.timeOrigin + performance.now()

async function adminQuery(text) {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

function startReplica(db) {
  const child = spawn(
    process.execPath,
    [
      new URL('../dist/cli.js', here).pathname,
      'serve',
      '--port',
      '0',
      '--db',
      db,
      '--log-level',
      'warn',
      '--max-streams',
      String(STREAMS_PER_REPLICA + 100),
    ],
    { env: { ...process.env, FLOODGATE_ADMIN_TOKEN: ADMIN }, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      if (url) resolve({ child, url })
    })
    child.on('exit', (code) => reject(new Error(`replica exited with ${code}: ${output}`)))
  })
}

async function admin(replica, method, path, body) {
  const res = await fetch(`${replica.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

const name = `floodgate_bench_${randomBytes(6).toString('hex')}`
await adminQuery(`create database ${name}`)
const url = new URL(ADMIN_URL)
url.pathname = `/${name}`
const replicas = []
try {
  for (const replica of await Promise.all(
    Array.from({ length: REPLICAS }, () => startReplica(url.toString())),
  )) {
    replicas.push(replica)
  }
  const [a] = replicas
  await seedBenchFlags((method, path, body) => admin(a, method, path, body))
  const { secret } = await admin(a, 'POST', '/v1/admin/tokens', {
    name: 'bench',
    scope: 'server',
    environment: 'production',
  })

  const clients = []
  const share = Math.ceil(STREAMS_PER_REPLICA / CLIENT_PROCESSES_PER_REPLICA)
  replicas.forEach((replica, index) => {
    for (let i = 0; i < CLIENT_PROCESSES_PER_REPLICA; i++) {
      const count = Math.min(share, STREAMS_PER_REPLICA - i * share)
      const child = fork(new URL('sseClients.mjs', here), [
        JSON.stringify({ url: replica.url, token: secret, count }),
      ])
      clients.push({ child, count, replica: index })
    }
  })
  await Promise.all(clients.map(({ child }) => onMessage(child, 'ready')))

  const latencies = replicas.map(() => [])
  let missed = 0
  let killed = false
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise((r) => setTimeout(r, 500))
    const action = killed ? 'unkill' : 'kill'
    killed = !killed
    const started = now()
    const { environmentVersion } = await admin(
      a,
      'POST',
      `/v1/admin/environments/production/flags/new-checkout/${action}`,
      { reason: 'bench' },
    )
    const reports = await Promise.all(
      clients.map(async ({ child }) => {
        const reply = onMessage(child, 'arrivals')
        child.send({ type: 'collect', version: environmentVersion })
        return reply
      }),
    )
    reports.forEach((report, i) => {
      const { count, replica } = clients[i]
      missed += count - report.times.length
      for (const at of report.times) latencies[replica].push(at - started)
    })
  }
  for (const { child } of clients) child.kill()
  await Promise.all(clients.map(({ child }) => once(child, 'exit')))

  const row = (label, values) => {
    const sorted = [...values].sort((x, y) => x - y)
    return `| ${label} | ${sorted.length} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${sorted.at(-1).toFixed(1)} |`
  }
  console.log(
    `Node ${process.version}, ${cpus().length} cores; ${REPLICAS} replicas × ${STREAMS_PER_REPLICA} streams, ${ROUNDS} kills/unkills on replica A`,
  )
  console.log('\n| streams on | deliveries | kill → patch p50 (ms) | p99 (ms) | max (ms) |')
  console.log('|---|---|---|---|---|')
  console.log(row('A (where the kill is written)', latencies[0]))
  console.log(row('B and C (through LISTEN/NOTIFY)', latencies.slice(1).flat()))
  console.log(row('all replicas', latencies.flat()))
  console.log(`\nmissed deliveries: ${missed}`)

  // Signals: every replica takes batches with distinct ids at once; each
  // pre-aggregates in memory and writes about once a second in one statement.
  let next = 0
  const batch = () =>
    JSON.stringify({
      id: `bench-${String(next++).padStart(12, '0')}`,
      sdk: { name: 'bench', version: '1', instanceId: `i-${next % 500}` },
      window: { start: Date.now() - 10_000, end: Date.now() },
      flags: Object.fromEntries(
        Array.from({ length: 5 }, (_, i) => [
          i === 0 ? 'new-checkout' : `flag-${i}`,
          {
            on: { exposures: 40, successes: 39, errors: 1 },
            off: { exposures: 120, successes: 120, errors: 0 },
          },
        ]),
      ),
    })
  // One token per connection: the per-token rate limit (6,000 a minute) would
  // otherwise be what is measured; real fleets spread over many instances.
  const tokens = []
  for (let i = 0; i < REPLICAS * SIGNALS_CONNECTIONS; i++) {
    const created = await admin(a, 'POST', '/v1/admin/tokens', {
      name: `bench-signals-${i}`,
      scope: 'server',
      environment: 'production',
    })
    tokens.push(created.secret)
  }
  const loads = await Promise.all(
    replicas.map((replica, r) => {
      let client = 0
      return autocannon({
        url: `${replica.url}/v1/sdk/signals`,
        method: 'POST',
        connections: SIGNALS_CONNECTIONS,
        duration: SIGNALS_SECONDS,
        setupClient: (c) => {
          const token = tokens[r * SIGNALS_CONNECTIONS + (client++ % SIGNALS_CONNECTIONS)]
          c.setHeaders({ authorization: `Bearer ${token}`, 'content-type': 'application/json' })
          c.setBody(batch())
        },
        requests: [{ setupRequest: (request) => ({ ...request, body: batch() }) }],
      })
    }),
  )
  await new Promise((r) => setTimeout(r, 3000))
  const db = new pg.Client({ connectionString: url.toString() })
  await db.connect()
  const { rows } = await db.query('select count(*)::int as n from signal_batches')
  await db.end()
  const accepted = loads.reduce((n, r) => n + r['2xx'], 0)
  const refused = loads.reduce((n, r) => n + r.non2xx + r.errors, 0)
  const p99 = Math.max(...loads.map((r) => r.latency.p99))
  console.log(
    '\n| signals | batches accepted (202) | per second | refused or failed | recorded in the database | p99 latency (ms) |',
  )
  console.log('|---|---|---|---|---|---|')
  console.log(
    `| ${REPLICAS} replicas × ${SIGNALS_CONNECTIONS} connections, ${SIGNALS_SECONDS} s | ${accepted} | ${Math.round(accepted / SIGNALS_SECONDS)} | ${refused} | ${rows[0].n} | ${p99} |`,
  )
} finally {
  for (const { child } of replicas) child.kill('SIGTERM')
  await Promise.all(
    replicas.map(({ child }) =>
      child.exitCode === null ? once(child, 'exit') : Promise.resolve(),
    ),
  )
  await adminQuery(`drop database if exists ${name} with (force)`)
}
