import type { Context, EvaluationDetails, FlagReader, JsonValue } from '@floodgate/core'

/** One flag of one client for one context, as `useSyncExternalStore` reads it. */
export interface FlagStore {
  subscribe(onChange: () => void): () => void
  /** The details of the flag: the same object until the flag's revision changes. */
  getSnapshot(): EvaluationDetails<JsonValue | undefined>
}

/**
 * A store over one flag: it hears only of changes that name the flag (or the
 * first snapshot), and re-evaluates only when the flag's revision moved, so
 * an unrelated flag's change gives React the same object and no re-render.
 * Evaluation counts no exposure here: a render may repeat or be thrown away.
 */
export function flagStore(
  client: FlagReader,
  key: string,
  defaultValue: JsonValue | undefined,
  context: Context | undefined,
): FlagStore {
  let revision = -1
  let details: EvaluationDetails<JsonValue | undefined> | undefined
  return {
    subscribe: (onChange) =>
      client.subscribe((event) => {
        if (event.type === 'ready' || (event.type === 'change' && event.flagKeys.includes(key))) {
          onChange()
        }
      }),
    getSnapshot: () => {
      const current = client.getFlagRevision(key)
      if (details === undefined || current !== revision) {
        revision = current
        details = client.peekDetails(key, defaultValue, context)
      }
      return details
    },
  }
}
