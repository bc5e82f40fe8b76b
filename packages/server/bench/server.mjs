// Benchmark server process: the built server on a temporary SQLite file, driven over IPC by run.mjs.
import { subscribe } from 'node:diagnostics_channel'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FANOUT_CHANNEL, startServer } from '../dist/index.js'
import { seedBenchFlags } from './benchSetup.mjs'

const dir = mkdtempSync(join(tmpdir(), 'floodgate-bench-'))
const server = await startServer({
  port: 0,
  db: join(dir, 'bench.db'),
  logger: false,
  rateLimit: false,
  maxStreams: 20_000,
})

const admin = async (method, path, body) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

await seedBenchFlags(admin)
const { secret } = await admin('POST', '/v1/admin/tokens', {
  name: 'bench',
  scope: 'server',
  environment: 'production',
})

// Every fan-out since the last `fanouts` request, for run.mjs to attribute to its kills.
let fanouts = []
subscribe(FANOUT_CHANNEL, (message) => fanouts.push(message))

process.on('message', async (message) => {
  if (message.type === 'fanouts') {
    process.send({ type: 'fanouts', fanouts })
    fanouts = []
  } else if (message.type === 'cpu') {
    process.send({ type: 'cpu', usage: process.cpuUsage() })
  } else if (message.type === 'memory') {
    global.gc?.()
    process.send({ type: 'memory', usage: process.memoryUsage() })
  } else if (message.type === 'stop') {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  }
})
process.send({ type: 'ready', url: server.url, admin: server.adminToken, token: secret })
