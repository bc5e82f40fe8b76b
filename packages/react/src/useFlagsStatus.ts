'use client'
import type { ClientStatus } from '@floodgate/core'
import { useSyncExternalStore } from 'react'
import { useFlagBinding } from './flagContext'

/**
 * Where the provider's client stands: `loading` (no snapshot yet: flags
 * give their defaults), `ready`, `stale` (serving a snapshot that may be out
 * of date) or `error` (no snapshot, and getting one failed). Re-renders only
 * when the status changes.
 *
 * @example
 * const status = useFlagsStatus()
 * if (status.status === 'loading') return <Spinner />
 * if (status.status === 'error') report(status.error)
 */
export function useFlagsStatus(): ClientStatus {
  const { client } = useFlagBinding()
  return useSyncExternalStore(client.subscribe, client.getStatus, client.getStatus)
}
