import type { Authenticator } from './auth'
import type { Leadership } from './leadership'
import type { Metrics } from './metrics'
import type { RolloutController } from './rollouts/rolloutController'
import type { SignalIngest } from './signalIngest'
import type { Store } from './store/store'
import type { StreamHub } from './streamHub'
import type { WebhookDispatcher } from './webhooks/webhookDispatcher'

/** What every routes plugin is given. */
export interface RouteContext {
  store: Store
  hub: StreamHub
  auth: Authenticator
  signals: SignalIngest
  metrics: Metrics
  rollouts: RolloutController
  leadership: Leadership
  webhooks: WebhookDispatcher
}
