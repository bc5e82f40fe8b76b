import { afterEach, describe, expect, it } from 'vitest'
import { createPostgresStore } from '../store/postgresStore'
import type { Store } from '../store/store'
import { createTestDatabase, type TestDatabase } from '../testUtils/postgres'
import { startWebhookReceiver, type WebhookReceiver } from './testUtils/webhookReceiver'
import { WebhookDispatcher } from './webhookDispatcher'
import { createWebhookSecret } from './webhookSecret'

describe('WebhookDispatcher on PostgreSQL', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  it('should send every delivery once when three replicas poll one database', async () => {
    const database: TestDatabase = await createTestDatabase()
    cleanup.push(() => database.drop())
    const receiver: WebhookReceiver = await startWebhookReceiver()
    cleanup.push(() => receiver.close())
    const stores: Store[] = []
    for (let i = 0; i < 3; i++) {
      const store = await createPostgresStore({ url: database.url, poolSize: 3 })
      stores.push(store)
      cleanup.push(() => store.close())
    }
    const [first] = stores
    if (!first) throw new Error('no store')
    for (let i = 0; i < 3; i++) {
      await first.createWebhookEndpoint(
        {
          url: `${receiver.url}/hook${i}`,
          description: '',
          events: [],
          environments: [],
          secret: createWebhookSecret(),
          enabled: true,
        },
        { name: 'system', tokenId: null },
      )
    }
    const dispatchers = stores.map((store) => new WebhookDispatcher({ store, batchSize: 4 }))
    for (let i = 0; i < 20; i++) {
      await dispatchers[i % 3]?.publish({
        type: 'rollout.started',
        environment: 'production',
        createdAt: new Date().toISOString(),
        data: { i },
      })
    }
    const counts = await Promise.all(dispatchers.map((d) => d.runDue()))
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60)
    expect(receiver.received).toHaveLength(60)
    expect(new Set(receiver.received.map((r) => r.headers['floodgate-delivery'])).size).toBe(60)
  })
})
