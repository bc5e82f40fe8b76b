import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileCache } from './fileCache'
import { flag, recordingLogger, snapshotOf } from './testUtils/fixtures'

describe('FileCache', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floodgate-cache-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('should save atomically and load what it saved, leaving no temporary file', async () => {
    const logger = recordingLogger()
    const file = join(dir, 'nested', 'flags.json')
    const cache = new FileCache(file, logger)
    expect(cache.load()).toBeUndefined()
    const snapshot = snapshotOf([flag('checkout', true, 3)], 3)
    await cache.save(snapshot)
    expect(new FileCache(file, logger).load()).toEqual(snapshot)
    expect(await readdir(join(dir, 'nested'))).toEqual(['flags.json'])
    expect(logger.warnings).toEqual([])
  })

  it('should coalesce saves and end with the latest snapshot', async () => {
    const file = join(dir, 'flags.json')
    const cache = new FileCache(file, recordingLogger())
    const saves = [1, 2, 3, 4, 5].map((v) => cache.save(snapshotOf([flag('a', v % 2 === 0, v)], v)))
    await Promise.all(saves)
    await cache.flush()
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(5)
  })

  it.each([
    ['not JSON', '{"schemaVersion": 1, "version"'],
    ['not a snapshot', JSON.stringify({ schemaVersion: 1, version: 'seven' })],
  ])('should ignore a cache file that is %s, with a warning', async (_name, content) => {
    const file = join(dir, 'flags.json')
    await writeFile(file, content)
    const logger = recordingLogger()
    expect(new FileCache(file, logger).load()).toBeUndefined()
    expect(logger.warnings).toEqual([expect.stringMatching(/flags\.json .*ignoring it/)])
  })

  it('should log, not throw, when the file cannot be written', async () => {
    await writeFile(join(dir, 'blocker'), 'a file where a directory should be')
    const logger = recordingLogger()
    const cache = new FileCache(join(dir, 'blocker', 'flags.json'), logger)
    await cache.save(snapshotOf([flag('a', true)]))
    expect(logger.warnings).toEqual([expect.stringMatching(/cannot write the cache file/)])
  })
})
