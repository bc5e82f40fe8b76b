'use client'
import { type Context, sameAttributes } from '@floodgate/core'
import { useState } from 'react'

/**
 * The context given, or the one held when it has the same attributes: an
 * inline `context={{ userId }}` is a new object on every render of the
 * provider's parent, and would otherwise re-render every flag reader.
 */
export function useStableContext(context: Context | undefined): Context | undefined {
  const [held, setHeld] = useState(context)
  if (held === context || sameAttributes(held, context)) return held
  // Storing what the previous render saw, as React recommends: the provider re-renders at once.
  setHeld(context)
  return context
}
