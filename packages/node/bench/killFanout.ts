/**
 * Kill switch fan-out: the time from sending a kill (or unkill) request to
 * the server until N in-process streaming clients all serve it, over
 * repeated kills. Run with `pnpm --filter @floodgate/node bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTokenSecret, startServer } from '@floodgate/server'
import { createClient, type NodeFlagClient } from '../src/index'

const SIZES = [50, 200]
const KILLS = Number(process.env.KILLS ?? 20)
const silent = { warn: () => {}, error: () => {} }

const dir = await mkdtemp(join(tmpdir(), 'floodgate-bench-'))
const admin = createTokenSecret('admin')
const server = await startServer({
  port: 0,
  db: join(dir, 'floodgate.db'),
  logger: false,
  adminToken: admin,
  rateLimit: false,
})
const call = async (method: string, path: string, body: unknown) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as Record<string, unknown>
}
await call('POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' })
await call('POST', '/v1/admin/environments/production/flags/checkout/rollout', { percent: 100 })
const { secret } = (await call('POST', '/v1/admin/tokens', {
  name: 'bench',
  scope: 'server',
  environment: 'production',
})) as { secret: string }

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number
const rows: string[] = []
let killed = false
for (const size of SIZES) {
  const clients: NodeFlagClient[] = Array.from({ length: size }, () =>
    createClient({ url: server.url, token: secret, closeOnShutdown: false, logger: silent }),
  )
  await Promise.all(clients.map((c) => c.ready()))
  const all: number[] = []
  const each: number[] = []
  for (let k = 0; k < KILLS; k++) {
    const want = killed // after this request the flag serves `on` exactly when it was killed before
    const start = performance.now()
    const arrived = clients.map(
      (client) =>
        new Promise<number>((resolve) => {
          const off = client.on('change', () => {
            if (client.isEnabled('checkout', { userId: 'probe' }) === want) {
              off()
              resolve(performance.now() - start)
            }
          })
        }),
    )
    await call(
      'POST',
      `/v1/admin/environments/production/flags/checkout/${killed ? 'unkill' : 'kill'}`,
      {
        reason: 'bench',
      },
    )
    killed = !killed
    const times = await Promise.all(arrived)
    each.push(...times)
    all.push(Math.max(...times))
  }
  await Promise.all(clients.map((c) => c.close()))
  all.sort((a, b) => a - b)
  each.sort((a, b) => a - b)
  rows.push(
    `| ${size} | ${KILLS} | ${quantile(all, 0.5).toFixed(1)} | ${quantile(all, 0.99).toFixed(1)} | ${quantile(each, 0.5).toFixed(1)} | ${quantile(each, 0.99).toFixed(1)} |`,
  )
}
await server.close()
await rm(dir, { recursive: true, force: true })

console.log(
  `Kill fan-out, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
)
console.log(
  '| clients | kills | all hold it: median ms | all: p99 ms | one client: median ms | one client: p99 ms |',
)
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |')
for (const row of rows) console.log(row)
