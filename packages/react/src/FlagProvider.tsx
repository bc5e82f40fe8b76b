'use client'
import type { Context, FlagClient } from '@floodgate/core'
import { type ReactNode, useMemo } from 'react'
import { FlagContext } from './flagContext'
import { useStableContext } from './useStableContext'

/** Props of `<FlagProvider>`. */
export interface FlagProviderProps {
  /**
   * The client the hooks below read, created outside React: once per page in
   * the browser, once per request on the server (with the same `snapshot`
   * on both sides for hydration without flicker).
   */
  client: FlagClient
  /**
   * Who the tree renders for (e.g. `{ userId }`): the context of every
   * evaluation below, over the client's own `context`. A new object with the
   * same attributes changes nothing; different attributes re-evaluate every
   * flag below. Default: none (the client's context alone).
   */
  context?: Context
  children?: ReactNode
}

/**
 * Puts a flag client, and the context to evaluate for, into the React tree.
 *
 * @example
 * const client = new FlagClient({ snapshot: window.__FLAGS__ })
 * hydrateRoot(root, (
 *   <FlagProvider client={client} context={{ userId: user.id }}>
 *     <App />
 *   </FlagProvider>
 * ))
 */
export function FlagProvider({ client, context, children }: FlagProviderProps) {
  const stable = useStableContext(context)
  const binding = useMemo(() => ({ client, context: stable }), [client, stable])
  return <FlagContext.Provider value={binding}>{children}</FlagContext.Provider>
}
