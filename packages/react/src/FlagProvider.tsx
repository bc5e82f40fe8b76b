'use client'
import type { Context, FlagClient } from '@floodgate/core'
import { type ReactNode, useEffect, useMemo, useState } from 'react'
import { type BrowserClientOptions, BrowserFlagClient } from './browserClient'
import { FlagContext } from './flagContext'
import { useStableContext } from './useStableContext'

/** Props of `<FlagProvider>`: a `client` you created, or `options` to create and own one. */
export type FlagProviderProps = {
  /**
   * Who the tree renders for (e.g. `{ userId }`): the context of every
   * evaluation below, over the client's own `context`. A new object with the
   * same attributes changes nothing; different attributes re-evaluate every
   * flag below. Default: none (the client's context alone).
   */
  context?: Context
  children?: ReactNode
} & (
  | {
      /**
       * The client the hooks below read, created outside React: once per page in
       * the browser, once per request on the server (with the same `snapshot`
       * on both sides for hydration without flicker).
       */
      client: FlagClient
      options?: never
    }
  | {
      /**
       * Options of a browser client that the provider creates on its first
       * render, connects while mounted and closes (flushing signals) on
       * unmount. Read once: remount the provider (a new `key`) to change them.
       * On the server it only renders from `bootstrap`: connecting is an effect.
       */
      options: BrowserClientOptions
      client?: never
    }
)

/**
 * Puts a flag client, and the context to evaluate for, into the React tree.
 *
 * @example
 * // A browser app: the provider owns a client that streams from the server.
 * <FlagProvider options={{ url: 'https://flags.example.com', token: 'fg_client_…' }}>
 *   <App />
 * </FlagProvider>
 *
 * @example
 * // A client created outside React (server rendering, tests, several roots).
 * const client = new FlagClient({ snapshot: window.__FLAGS__ })
 * hydrateRoot(root, (
 *   <FlagProvider client={client} context={{ userId: user.id }}>
 *     <App />
 *   </FlagProvider>
 * ))
 */
export function FlagProvider(props: FlagProviderProps) {
  if (props.client !== undefined) {
    return (
      <ClientBinding client={props.client} context={props.context}>
        {props.children}
      </ClientBinding>
    )
  }
  return (
    <OwnedClient options={props.options} context={props.context}>
      {props.children}
    </OwnedClient>
  )
}

function OwnedClient(props: {
  options: BrowserClientOptions
  context: Context | undefined
  children: ReactNode
}) {
  const [client] = useState(() => new BrowserFlagClient(props.options))
  useEffect(() => {
    client.start()
    return () => void client.stop()
  }, [client])
  return (
    <ClientBinding client={client} context={props.context}>
      {props.children}
    </ClientBinding>
  )
}

function ClientBinding(props: {
  client: FlagClient
  context: Context | undefined
  children: ReactNode
}) {
  const stable = useStableContext(props.context)
  const binding = useMemo(() => ({ client: props.client, context: stable }), [props.client, stable])
  return <FlagContext.Provider value={binding}>{props.children}</FlagContext.Provider>
}
