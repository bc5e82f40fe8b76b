import { useSyncExternalStore } from 'react'

const KEY = 'floodgate.adminToken'
const listeners = new Set<() => void>()
let signedOutBecause: string | null = null

/**
 * The admin token of this tab, kept in sessionStorage: it survives a reload
 * and ends with the tab, and other tabs sign in for themselves.
 */
export const session = {
  get(): string | null {
    return sessionStorage.getItem(KEY)
  },
  signIn(token: string): void {
    signedOutBecause = null
    sessionStorage.setItem(KEY, token)
    for (const listener of listeners) listener()
  },
  /** Forgets the token; `because` is shown on the sign-in page (a token the server refused). */
  signOut(because?: string): void {
    signedOutBecause = because ?? null
    sessionStorage.removeItem(KEY)
    for (const listener of listeners) listener()
  },
  /** Why the last sign-out happened, when it was not the person's choice. */
  signedOutBecause(): string | null {
    return signedOutBecause
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
}

/** The signed-in admin token, or `null`. */
export function useSessionToken(): string | null {
  return useSyncExternalStore(session.subscribe, session.get, () => null)
}
