'use client'
import { useFlagDetails } from './useFlagDetails'

/**
 * Is the boolean flag `key` on for the provider's context? `defaultValue`
 * while the client has no snapshot, and when the flag is missing or not
 * boolean. Re-renders only when this flag changes.
 *
 * @example
 * const newCheckout = useFlag('new-checkout')
 */
export function useFlag(key: string, defaultValue = false): boolean {
  return useFlagDetails(key, defaultValue).value
}
