'use client'
import type { Context } from '@floodgate/core'
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

function sameAttributes(a: Context | undefined, b: Context | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]))
}

function sameValue(a: Context[string], b: Context[string]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => Object.is(item, b[i]))
  }
  return Object.is(a, b)
}
