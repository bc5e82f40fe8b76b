import { type Logger, type Snapshot, validateSnapshot } from '@floodgate/core'

/** The part of the Web Storage API the cache uses (`localStorage` has it). */
export type SnapshotStorageBackend = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/**
 * The last good snapshot in Web Storage, so a page opened offline (or while
 * the server is down) serves the configuration it last saw rather than
 * defaults. An entry that is not a valid snapshot is removed and ignored
 * with a warning: a corrupt cache must never stop the page from starting.
 * A full or refused storage is warned about once and otherwise ignored.
 */
export class SnapshotStorage {
  private savedVersion: string | undefined
  private warnedWrite = false

  constructor(
    private readonly backend: SnapshotStorageBackend,
    /** The storage key. */
    readonly key: string,
    private readonly logger: Logger,
  ) {}

  /** The cached snapshot; `undefined` when there is none or it is unusable. */
  load(): Snapshot | undefined {
    let text: string | null
    try {
      text = this.backend.getItem(this.key)
    } catch (error) {
      this.logger.warn(
        `[floodgate] cannot read the cached snapshot "${this.key}"; ignoring it`,
        error,
      )
      return undefined
    }
    if (text === null) return undefined
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return this.discard('is not JSON')
    }
    const parsed = validateSnapshot(json)
    if (!parsed.success) return this.discard('is not a valid snapshot')
    this.savedVersion = versionKey(parsed.data)
    return parsed.data
  }

  /** Saves a snapshot unless that version is saved already. Never throws. */
  save(snapshot: Snapshot): void {
    const version = versionKey(snapshot)
    if (version === this.savedVersion) return
    try {
      this.backend.setItem(this.key, JSON.stringify(snapshot))
      this.savedVersion = version
    } catch (error) {
      if (this.warnedWrite) return
      this.warnedWrite = true
      this.logger.warn(`[floodgate] cannot cache the snapshot in "${this.key}"`, error)
    }
  }

  private discard(why: string): undefined {
    this.logger.warn(`[floodgate] the cached snapshot "${this.key}" ${why}; ignoring it`)
    try {
      this.backend.removeItem(this.key)
    } catch {
      // Unreadable and unremovable: the next save overwrites it.
    }
    return undefined
  }
}

function versionKey(snapshot: Snapshot): string {
  return `${snapshot.environment}@${snapshot.version}`
}
