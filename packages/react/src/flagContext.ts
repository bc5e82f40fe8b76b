'use client'
import { type Context, type FlagReader, FlagSdkError } from '@floodgate/core'
import { createContext, useContext } from 'react'

/** What a `<FlagProvider>` hands the hooks below it. */
export interface FlagBinding {
  /** The client every hook reads. */
  readonly client: FlagReader
  /** The context of every evaluation below (the call's layer, over the client's own context). */
  readonly context: Context | undefined
}

export const FlagContext = createContext<FlagBinding | null>(null)
FlagContext.displayName = 'FlagContext'

/** The nearest provider's binding; a missing provider is a mistake worth an error that says how to fix it. */
export function useFlagBinding(): FlagBinding {
  const binding = useContext(FlagContext)
  if (binding === null) {
    throw new FlagSdkError(
      'PROVIDER_MISSING',
      'Floodgate hooks and <Flag> need a <FlagProvider> above them: wrap your tree in ' +
        '<FlagProvider client={client}> (in tests, <TestFlagProvider flags={{ … }}>)',
    )
  }
  return binding
}
