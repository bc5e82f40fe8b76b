'use client'
import type { Context, FlagReader } from '@floodgate/core'
import { type ReactNode, useEffect, useMemo, useState } from 'react'
import { FlagContext } from './flagContext'
import { RemoteBrowserClient, type RemoteBrowserClientOptions } from './remoteBrowserClient'
import { useStableContext } from './useStableContext'

/** Props of `<FlagProvider>`: a `client` you created, or `options` to create and own one. */
export type FlagProviderProps = {
  /**
   * Who the tree renders for (e.g. `{ userId }`). A new object with the same
   * attributes changes nothing; different attributes re-evaluate every flag
   * below. With a local client (`FlagClient`, `createBrowserClient`) it is
   * the context of every evaluation below, over the client's own `context`.
   * With a remote client (`options`, `createRemoteBrowserClient`) the server
   * evaluates for one context: the provider makes it the client's
   * (`identify`; over `options.context` when the provider owns the client),
   * and the flags keep their values until the new evaluation arrives.
   * Default: none (the client's context alone).
   */
  context?: Context
  children?: ReactNode
} & (
  | {
      /**
       * The client the hooks below read, created outside React: once per page in
       * the browser, once per request on the server (with the same `snapshot`,
       * or the same evaluation, on both sides for hydration without flicker).
       */
      client: FlagReader
      options?: never
    }
  | {
      /**
       * Options of a remote browser client (`RemoteBrowserClient`: the server
       * evaluates, the page stays small) that the provider creates on its
       * first render, connects while mounted and closes (flushing signals) on
       * unmount. Read once, but for the context: remount the provider (a new
       * `key`) to change them. On the server it only renders from
       * `bootstrap` (an `evaluateSnapshot` for the request's context):
       * connecting is an effect.
       */
      options: RemoteBrowserClientOptions
      client?: never
    }
)

/**
 * Puts a flag client, and the context to evaluate for, into the React tree.
 *
 * @example
 * // A browser app: the provider owns a remote client that streams from the server.
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
  options: RemoteBrowserClientOptions
  context: Context | undefined
  children: ReactNode
}) {
  const { options } = props
  const context = { ...options.context, ...props.context }
  const [client] = useState(() => new RemoteBrowserClient({ ...options, context }))
  useEffect(() => {
    client.start()
    return () => void client.stop()
  }, [client])
  return (
    <ClientBinding client={client} context={context}>
      {props.children}
    </ClientBinding>
  )
}

/**
 * Hands the hooks a client and a context: the context itself to a local
 * client, which evaluates for any; to a remote one, which evaluates for its
 * one context, through `identify` (after the render, so that a change keeps
 * the values on screen until the new evaluation arrives).
 */
function ClientBinding(props: {
  client: FlagReader
  context: Context | undefined
  children: ReactNode
}) {
  const { client } = props
  const stable = useStableContext(props.context)
  const remote = client.identify !== undefined
  useEffect(() => {
    if (stable !== undefined) void client.identify?.(stable)
  }, [client, stable])
  const context = remote ? undefined : stable
  const binding = useMemo(() => ({ client, context }), [client, context])
  return <FlagContext.Provider value={binding}>{props.children}</FlagContext.Provider>
}
