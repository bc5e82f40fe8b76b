'use client'
import type { FlagReader } from '@floodgate/core'
import { useEffect, useRef } from 'react'

/**
 * Counts one exposure of `variant` when a reader of the flag is committed
 * (mounted), and again whenever the variant it shows changes. Never while
 * rendering: React may render twice, or throw a render away.
 */
export function useExposure(client: FlagReader, key: string, variant: string | undefined): void {
  const counted = useRef<unknown>(null)
  useEffect(
    function expose() {
      // StrictMode re-runs a mount's effect (this very function) in development: count it once.
      if (counted.current === expose) return
      counted.current = expose
      if (variant !== undefined) client.recordExposure(key, variant)
    },
    [client, key, variant],
  )
}
