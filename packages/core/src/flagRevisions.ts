/**
 * The revision of each flag of a client: a number that moves when what the
 * flag serves may change, so an adapter re-renders only the readers of the
 * flags a change names. Every flag starts at the base revision, which moves
 * once, with the client's first configuration.
 */
export class FlagRevisions {
  readonly #revisions = new Map<string, number>()
  #base = 0
  #last = 0

  /** The revision of flag `key`. */
  get(key: string): number {
    return this.#revisions.get(key) ?? this.#base
  }

  /** The first configuration arrived: every flag moves. */
  first(): void {
    this.#base = ++this.#last
  }

  /** These flags may serve something else now. */
  touch(flagKeys: readonly string[]): void {
    if (flagKeys.length === 0) return
    const revision = ++this.#last
    for (const key of flagKeys) this.#revisions.set(key, revision)
  }
}
