'use client'
import type { Context, FlagReader } from '@floodgate/core'
import { Component, type ReactNode } from 'react'

interface FlagErrorBoundaryProps {
  client: FlagReader
  flagKey: string
  context: Context | undefined
  /** A new value gives the children another chance. */
  resetKey: unknown
  fallback: ReactNode
  children: ReactNode
}

interface FlagErrorBoundaryState {
  failed: boolean
  resetKey: unknown
}

/**
 * Catches what the children of a `<Flag>` throw while rendering, counts it
 * as an error of the variant served (which feeds the local guard) and
 * renders the fallback until `resetKey` changes.
 */
export class FlagErrorBoundary extends Component<FlagErrorBoundaryProps, FlagErrorBoundaryState> {
  override state: FlagErrorBoundaryState = { failed: false, resetKey: this.props.resetKey }

  static getDerivedStateFromError(): Partial<FlagErrorBoundaryState> {
    return { failed: true }
  }

  static getDerivedStateFromProps(
    props: FlagErrorBoundaryProps,
    state: FlagErrorBoundaryState,
  ): Partial<FlagErrorBoundaryState> | null {
    return Object.is(props.resetKey, state.resetKey)
      ? null
      : { failed: false, resetKey: props.resetKey }
  }

  override componentDidCatch(error: unknown): void {
    const { client, flagKey, context } = this.props
    client.recordError(flagKey, error, context)
  }

  override render(): ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children
  }
}
