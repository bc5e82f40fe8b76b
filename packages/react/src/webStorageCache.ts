import type { Logger } from '@floodgate/core'

/** The part of the Web Storage API the cache uses (`localStorage` has it). */
export type SnapshotStorageBackend = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/** How a cache reads and keys what it holds. */
export interface CacheCodec<T> {
  /** What it holds (a snapshot, an evaluation), or `undefined` when `json` is not one. */
  check(json: unknown): T | undefined
  /** A key that changes when what it holds does: an unchanged value is not written again. */
  versionOf(value: T): string
}

/**
 * The last good configuration in Web Storage, so a page opened offline (or
 * while the server is down) serves what it last saw rather than defaults. An
 * entry that does not pass `codec.check` is removed and ignored with a
 * warning: a corrupt cache must never stop the page from starting. A full or
 * refused storage is warned about once and otherwise ignored.
 */
export class WebStorageCache<T> {
  #savedVersion: string | undefined
  #warnedWrite = false

  readonly #backend: SnapshotStorageBackend
  readonly #codec: CacheCodec<T>
  readonly #logger: Logger

  constructor(
    backend: SnapshotStorageBackend,
    /** The storage key. */
    readonly key: string,
    codec: CacheCodec<T>,
    logger: Logger,
  ) {
    this.#backend = backend
    this.#codec = codec
    this.#logger = logger
  }

  /** What is cached; `undefined` when there is nothing usable. */
  load(): T | undefined {
    let text: string | null
    try {
      text = this.#backend.getItem(this.key)
    } catch (error) {
      this.#logger.warn(`[floodgate] cannot read the cache "${this.key}"; ignoring it`, error)
      return undefined
    }
    if (text === null) return undefined
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return this.#discard('is not JSON')
    }
    const value = this.#codec.check(json)
    if (value === undefined) return this.#discard('holds nothing usable')
    this.#savedVersion = this.#codec.versionOf(value)
    return value
  }

  /** Saves a value unless the same version is saved already. Never throws. */
  save(value: T): void {
    const version = this.#codec.versionOf(value)
    if (version === this.#savedVersion) return
    try {
      this.#backend.setItem(this.key, JSON.stringify(value))
      this.#savedVersion = version
    } catch (error) {
      if (this.#warnedWrite) return
      this.#warnedWrite = true
      this.#logger.warn(`[floodgate] cannot write the cache "${this.key}"`, error)
    }
  }

  #discard(why: string): undefined {
    this.#logger.warn(`[floodgate] the cache "${this.key}" ${why}; ignoring it`)
    try {
      this.#backend.removeItem(this.key)
    } catch {
      // Unreadable and unremovable: the next save overwrites it.
    }
    return undefined
  }
}

/** `localStorage`, where the page has one and may use it (it throws in some privacy modes). */
export function defaultStorage(): SnapshotStorageBackend | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage
  } catch {
    return undefined
  }
}
