import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, useSyncExternalStore } from 'react'
import { useAdminEvents } from './api/AdminApiProvider'
import { invalidateFor, invalidateForRollout } from './api/queries'

/**
 * Keeps every page current: each change on the admin stream (from the CLI,
 * another tab, the rollout controller) refreshes the queries it affects, and
 * is announced to screen readers. Shows whether the stream is live.
 */
export function LiveUpdates() {
  const events = useAdminEvents()
  const client = useQueryClient()
  const status = useSyncExternalStore(
    (listener) => events.subscribeStatus(listener),
    () => events.getStatus(),
  )
  const [last, setLast] = useState('')
  useEffect(
    () =>
      events.subscribe((event) => {
        if (event.type === 'change') {
          invalidateFor(client, event.entry)
          const { entry } = event
          setLast(
            `${entry.action} ${entry.resourceKey}${entry.environment ? ` in ${entry.environment}` : ''} by ${entry.actor}`,
          )
        } else {
          invalidateForRollout(client, event.event)
          setLast(`${event.event.type} ${event.event.flag} in ${event.event.environment}`)
        }
      }),
    [events, client],
  )
  const label =
    status.status === 'live'
      ? 'Live'
      : status.status === 'refused'
        ? 'Updates refused'
        : status.attempt > 0
          ? 'Reconnecting…'
          : 'Connecting…'
  return (
    <div className="live">
      <span className={`live-dot live-${status.status}`} aria-hidden="true" />
      <span data-testid="live-status">{label}</span>
      <span className="visually-hidden" aria-live="polite">
        {last}
      </span>
      {last ? (
        <span className="live-last" title="The last change the stream reported">
          {last}
        </span>
      ) : null}
    </div>
  )
}
