'use client'
import type { EvaluationDetails, JsonValue } from '@floodgate/core'
import { useMemo, useSyncExternalStore } from 'react'
import { useFlagBinding } from './flagContext'
import { flagStore } from './flagStore'
import { useExposure } from './useExposure'

/**
 * The evaluation details of flag `key` for the provider's context: value,
 * variant, reason, error code. With a default, the value's type is checked
 * against it (`TYPE_MISMATCH` returns the default); without one, an error
 * gives `value: undefined`. Re-renders only when this flag changes.
 *
 * @example
 * const { value, reason, errorCode } = useFlagDetails('new-checkout', false)
 */
export function useFlagDetails(
  key: string,
  defaultValue?: undefined,
): EvaluationDetails<JsonValue | undefined>
export function useFlagDetails(key: string, defaultValue: boolean): EvaluationDetails<boolean>
export function useFlagDetails(key: string, defaultValue: string): EvaluationDetails<string>
export function useFlagDetails(key: string, defaultValue: number): EvaluationDetails<number>
export function useFlagDetails<T extends JsonValue>(
  key: string,
  defaultValue: T,
): EvaluationDetails<T>
export function useFlagDetails(
  key: string,
  defaultValue?: JsonValue,
): EvaluationDetails<JsonValue | undefined> {
  const { client, context } = useFlagBinding()
  const store = useMemo(
    () => flagStore(client, key, defaultValue, context),
    [client, key, defaultValue, context],
  )
  const details = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot)
  useExposure(client, key, details.variant)
  return details
}
