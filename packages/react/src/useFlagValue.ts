'use client'
import type { JsonValue } from '@floodgate/core'
import { useFlagDetails } from './useFlagDetails'

/**
 * The value of flag `key` for the provider's context, typed by the default:
 * `defaultValue` while the client has no snapshot, when the flag is
 * missing, or when its value's type differs from the default's (a
 * non-primitive default accepts any object, array or null). Re-renders only
 * when this flag changes.
 *
 * @example
 * const theme = useFlagValue('checkout-theme', 'classic') // string
 * const limits = useFlagValue('upload-limits', { maxMb: 10 }) // { maxMb: number }
 */
export function useFlagValue(key: string, defaultValue: boolean): boolean
export function useFlagValue(key: string, defaultValue: string): string
export function useFlagValue(key: string, defaultValue: number): number
export function useFlagValue<T extends JsonValue>(key: string, defaultValue: T): T
export function useFlagValue(key: string, defaultValue: JsonValue): JsonValue {
  return useFlagDetails(key, defaultValue).value
}
