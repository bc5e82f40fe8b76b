'use client'
import { useFlagDetails } from './useFlagDetails'

/**
 * The name of the variant of flag `key` served to the provider's context;
 * `undefined` while the client has no snapshot or when no variant is
 * served. Re-renders only when this flag changes.
 *
 * @example
 * const layout = useVariant('checkout-layout') // 'one-page' | 'wizard' | …
 */
export function useVariant(key: string): string | undefined {
  return useFlagDetails(key).variant
}
