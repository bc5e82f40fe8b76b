import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseSnapshot } from '@floodgate/core'
import { describe, expect, it } from 'vitest'
import type { Adapter } from './adapter'
import { packageRoot, readDefinition } from './packageRoot'
import { createPopulation, FLAGS } from './population'
import { checkShares, type ShareCounts } from './shares'

const adapterIds = readdirSync(join(packageRoot(), 'src', 'adapters'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => file.slice(0, -3))

describe('adapters', () => {
  const users = createPopulation(20_000)

  it.each(adapterIds)('should evaluate the three flags as specified with %s', async (id) => {
    const { adapter }: { adapter: Adapter<unknown> } = await import(`./adapters/${id}.ts`)
    const evaluator = await adapter.start()
    try {
      for (const flag of FLAGS) {
        const counts: ShareCounts = {
          targeted: { enabled: 0, total: 0 },
          other: { enabled: 0, total: 0 },
        }
        for (const user of users) {
          const context = adapter.context(user)
          const on =
            evaluator.mode === 'sync'
              ? evaluator.isEnabled(flag, context)
              : await evaluator.isEnabled(flag, context)
          const group = user.targeted ? counts.targeted : counts.other
          group.total++
          if (on) group.enabled++
        }
        expect(checkShares(flag, counts)).toEqual([])
      }
    } finally {
      await evaluator.close()
    }
  })
})

describe('floodgate.snapshot.json', () => {
  it('should be a valid Floodgate snapshot with the three flags', () => {
    const parsed = parseSnapshot(readDefinition('floodgate.snapshot.json'))
    expect(parsed.success).toBe(true)
    if (parsed.success) expect(Object.keys(parsed.data.flags).sort()).toEqual([...FLAGS].sort())
  })
})
