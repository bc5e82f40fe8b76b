import { FlagSdkError } from '@floodgate/core'
import type { TrackingEventDetails } from '@openfeature/core'

/** How a tracking event of one name counts toward Floodgate's health signals. */
export interface TrackedEvent {
  /** The flags the event is an outcome of: it counts for the variant each served to the event's context. */
  flags: readonly string[]
  /** What the event reports: an `'error'` or a `'success'`. Default `'success'`. */
  outcome?: TrackedOutcome
}

/** Whether a tracked event reports that the flagged code path worked. */
export type TrackedOutcome = 'success' | 'error'

/** What one `track()` call counts. */
export interface TrackedSignal {
  flagKeys: readonly string[]
  ok: boolean
  latencyMs: number | undefined
}

/** The signal a `track()` call counts, `undefined` when it is about no flag, or why its details are unusable. */
export type TrackedSignalResult =
  | { success: true; data: TrackedSignal | undefined }
  | { success: false; error: string }

/**
 * Reads a tracking event as a health signal. The details may name the flag
 * (`flagKey`), the outcome (`outcome`: `'success'` or `'error'`) and the
 * latency (`latencyMs`); what they leave out comes from the event's entry in
 * `trackedEvents`, then the defaults (success, no latency). An event that
 * names no flag either way is not Floodgate's and counts nothing.
 */
export function toTrackedSignal(
  eventName: string,
  details: TrackingEventDetails,
  trackedEvents: Readonly<Record<string, TrackedEvent>>,
): TrackedSignalResult {
  const entry = Object.hasOwn(trackedEvents, eventName) ? trackedEvents[eventName] : undefined
  const { flagKey, outcome, latencyMs } = details
  if (flagKey !== undefined && typeof flagKey !== 'string') {
    return { success: false, error: `details.flagKey must be a string` }
  }
  if (outcome !== undefined && outcome !== 'success' && outcome !== 'error') {
    return { success: false, error: `details.outcome must be "success" or "error"` }
  }
  if (
    latencyMs !== undefined &&
    (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0)
  ) {
    return {
      success: false,
      error: 'details.latencyMs must be a finite number of milliseconds, 0 or more',
    }
  }
  const flagKeys = flagKey !== undefined ? [flagKey] : (entry?.flags ?? [])
  if (flagKeys.length === 0) return { success: true, data: undefined }
  return {
    success: true,
    data: { flagKeys, ok: (outcome ?? entry?.outcome ?? 'success') === 'success', latencyMs },
  }
}

/** Checks the `trackedEvents` option; throws a `FlagSdkError` (`invalid_options`) naming the first problem. */
export function checkTrackedEvents(trackedEvents: unknown): Record<string, TrackedEvent> {
  if (trackedEvents === undefined) return {}
  if (typeof trackedEvents !== 'object' || trackedEvents === null || Array.isArray(trackedEvents)) {
    throw invalid('trackedEvents must be an object of event names')
  }
  for (const [name, entry] of Object.entries(trackedEvents)) {
    const { flags, outcome } = (entry ?? {}) as Partial<TrackedEvent>
    if (!Array.isArray(flags) || flags.length === 0 || flags.some((f) => typeof f !== 'string')) {
      throw invalid(`trackedEvents["${name}"].flags must be a non-empty list of flag keys`)
    }
    if (outcome !== undefined && outcome !== 'success' && outcome !== 'error') {
      throw invalid(`trackedEvents["${name}"].outcome must be "success" or "error"`)
    }
  }
  return trackedEvents as Record<string, TrackedEvent>
}

function invalid(message: string): FlagSdkError {
  return new FlagSdkError('invalid_options', `Floodgate provider: ${message}`)
}
