// Benchmark server process: the built server on a temporary SQLite file, driven over IPC by run.mjs.
import { subscribe } from 'node:diagnostics_channel'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FANOUT_CHANNEL, startServer } from '../dist/index.js'

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

// A realistic snapshot: 50 flags with a rule and a split each.
for (let i = 0; i < 50; i++) {
  const key = i === 0 ? 'new-checkout' : `flag-${i}`
  await admin('POST', '/v1/admin/flags', { key, kind: 'boolean', description: `bench flag ${i}` })
  await admin('PUT', `/v1/admin/environments/production/flags/${key}`, {
    enabled: true,
    rules: [
      {
        conditions: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }],
        serve: { variant: 'on' },
      },
    ],
    fallthrough: {
      split: [
        { variant: 'on', weight: 2500 },
        { variant: 'off', weight: 7500 },
      ],
      by: 'userId',
    },
  })
}
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
