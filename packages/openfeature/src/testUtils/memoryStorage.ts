import type { SnapshotStorageBackend } from '@floodgate/react/browser'

/** Web Storage kept in a map: a page's `localStorage` where Node has none. */
export function memoryStorage(): SnapshotStorageBackend {
  const items = new Map<string, string>()
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value)
    },
    removeItem: (key) => {
      items.delete(key)
    },
  }
}
