import type { RolloutEvent } from '../rollouts/rolloutController'
import type { WebhookEvent } from './webhookDispatcher'

/** A rollout event as a webhook event: its fields, but the type, become the payload's `data`. */
export function rolloutWebhookEvent({ type, ...data }: RolloutEvent): WebhookEvent {
  return { type, environment: data.environment, createdAt: data.at, data: { ...data } }
}
