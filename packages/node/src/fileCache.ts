import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Logger, parseSnapshot, type Snapshot } from '@floodgate/core'

/**
 * The last good snapshot on disk, so a process that starts while the server
 * is unreachable serves the configuration it last saw rather than defaults.
 * Writes are atomic (a temporary file, `fsync`, `rename`): a crash mid-write
 * leaves the previous file whole. Writes are coalesced: while one runs, only
 * the latest snapshot waits for the next.
 */
export class FileCache {
  private writing: Promise<void> | undefined
  private next: Snapshot | undefined
  private savedVersion: string | undefined

  constructor(
    /** The cache file. */
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  /**
   * The cached snapshot; `undefined` when there is no file. A file that is
   * not a valid snapshot is ignored with a warning (never thrown: a corrupt
   * cache must not stop the process from starting).
   */
  load(): Snapshot | undefined {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn(`[floodgate] cannot read the cache file ${this.path}; ignoring it`, error)
      }
      return undefined
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      this.logger.warn(`[floodgate] the cache file ${this.path} is not JSON; ignoring it`)
      return undefined
    }
    const parsed = parseSnapshot(json)
    if (!parsed.success) {
      this.logger.warn(
        `[floodgate] the cache file ${this.path} is not a valid snapshot; ignoring it`,
      )
      return undefined
    }
    this.savedVersion = versionKey(parsed.data)
    return parsed.data
  }

  /** Saves a snapshot (in the background; failures are logged). Never rejects. */
  save(snapshot: Snapshot): Promise<void> {
    if (versionKey(snapshot) === this.savedVersion && this.next === undefined) {
      return this.writing ?? Promise.resolve()
    }
    this.next = snapshot
    if (this.writing === undefined) {
      this.writing = this.drain().finally(() => {
        this.writing = undefined
      })
    }
    return this.writing
  }

  /** Resolves when no write is pending. */
  flush(): Promise<void> {
    return this.writing ?? Promise.resolve()
  }

  private async drain(): Promise<void> {
    while (this.next !== undefined) {
      const snapshot = this.next
      this.next = undefined
      try {
        await this.write(JSON.stringify(snapshot))
        this.savedVersion = versionKey(snapshot)
      } catch (error) {
        this.logger.warn(`[floodgate] cannot write the cache file ${this.path}`, error)
      }
    }
  }

  private async write(json: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    const temp = `${this.path}.${randomUUID().slice(0, 8)}.tmp`
    try {
      const file = await open(temp, 'w', 0o600)
      try {
        await file.writeFile(json, 'utf8')
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(temp, this.path)
    } catch (error) {
      await unlink(temp).catch(() => {})
      throw error
    }
  }
}

function versionKey(snapshot: Snapshot): string {
  return `${snapshot.environment}@${snapshot.version}`
}
