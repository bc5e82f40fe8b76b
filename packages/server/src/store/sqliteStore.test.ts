import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FlagDefinitionSchema } from '@floodgate/core'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createSqliteStore } from './sqliteStore'
import { describeStoreConformance } from './storeConformance'

describeStoreConformance('createSqliteStore', () => createSqliteStore({ path: ':memory:' }))

describe('createSqliteStore', () => {
  const dirs: string[] = []
  const tempDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'floodgate-store-'))
    dirs.push(dir)
    return join(dir, 'nested', 'floodgate.db')
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('should create the file in WAL mode and keep writes across reopening', async () => {
    const path = tempDb()
    const store = await createSqliteStore({ path })
    await store.createFlag(FlagDefinitionSchema.parse({ key: 'a', kind: 'boolean' }), {
      name: 'alice',
      tokenId: null,
    })
    await store.close()

    const raw = new BetterSqlite3(path, { readonly: true })
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    raw.close()

    const reopened = await createSqliteStore({ path })
    expect((await reopened.getFlag('a'))?.key).toBe('a')
    expect((await reopened.getEnvironment('production'))?.version).toBe(1)
    await reopened.close()
  })
})
