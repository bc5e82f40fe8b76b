'use client'
import type { FlagReader } from '@floodgate/core'
import { useFlagBinding } from './flagContext'

/**
 * The provider's client, for what hooks do not cover: outcomes of a
 * feature's actions (`guard`, `recordError`) in event handlers.
 *
 * @example
 * const client = useFlagClient()
 * const pay = () => client.guard('new-checkout', { userId }, () => submitPayment(cart))
 */
export function useFlagClient(): FlagReader {
  return useFlagBinding().client
}
