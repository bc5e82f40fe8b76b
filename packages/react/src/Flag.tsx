'use client'
import type { EvaluationDetails, JsonValue } from '@floodgate/core'
import type { ReactNode } from 'react'
import { FlagErrorBoundary } from './FlagErrorBoundary'
import { useFlagBinding } from './flagContext'
import { useFlagDetails } from './useFlagDetails'

/** Props of `<Flag>`. */
export interface FlagProps {
  /** The flag's key. */
  name: string
  /**
   * Show the children when this variant is served. Default: when the flag
   * serves `true` (a boolean flag that is on).
   */
  variant?: string
  /**
   * Shown when the flag is off (or serves another variant), and in place of
   * children that threw while rendering. Default: nothing.
   */
  fallback?: ReactNode
  /** Shown when the flag is on; a function gets the evaluation details. */
  children?: ReactNode | ((details: EvaluationDetails<JsonValue | undefined>) => ReactNode)
}

/**
 * Renders its children when flag `name` is on (or serves `variant`), else
 * the fallback. The children sit in an error boundary: a render error is
 * counted as an error of the variant served, feeding the local guard (which
 * may stop serving a failing treatment in this page), and the fallback is
 * rendered instead until the flag's evaluation changes.
 *
 * @example
 * <Flag name="new-checkout" fallback={<LegacyCheckout />}>
 *   <NewCheckout />
 * </Flag>
 */
export function Flag({ name, variant, fallback = null, children }: FlagProps) {
  const { client, context } = useFlagBinding()
  const details = useFlagDetails(name)
  const on = variant === undefined ? details.value === true : details.variant === variant
  if (!on) return <>{fallback}</>
  return (
    <FlagErrorBoundary
      client={client}
      flagKey={name}
      context={context}
      resetKey={details}
      fallback={fallback}
    >
      {typeof children === 'function' ? (
        <RenderChildren render={children} details={details} />
      ) : (
        children
      )}
    </FlagErrorBoundary>
  )
}

/** Calls a render-function child inside the boundary, so that what it throws is caught too. */
function RenderChildren(props: {
  render: (details: EvaluationDetails<JsonValue | undefined>) => ReactNode
  details: EvaluationDetails<JsonValue | undefined>
}) {
  return props.render(props.details)
}
