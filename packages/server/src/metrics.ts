import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { DeliveryMetrics } from './rollouts/deliveryMetrics'
import type { Store } from './store/store'

/** The server's Prometheus metrics, in a registry of its own (several servers can share a process). */
export class Metrics {
  readonly registry = new Registry()
  readonly httpDuration = new Histogram({
    name: 'floodgate_http_request_duration_seconds',
    help: 'HTTP request latency (streams excluded)',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })
  readonly openStreams = new Gauge({
    name: 'floodgate_open_streams',
    help: 'Open SSE streams',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  })
  readonly pushes = new Counter({
    name: 'floodgate_stream_pushes_total',
    help: 'SSE events written to streams (one per stream and event)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  })
  readonly signalBatches = new Counter({
    name: 'floodgate_signal_batches_total',
    help: 'Signals batches received',
    labelNames: ['result'] as const,
    registers: [this.registry],
  })
  readonly leader = new Gauge({
    name: 'floodgate_leader',
    help: '1 while this replica leads (runs the rollout controller), else 0',
    registers: [this.registry],
  })
  readonly webhookAttempts = new Counter({
    name: 'floodgate_webhook_attempts_total',
    help: 'Webhook delivery attempts, by the delivery state after the attempt (pending means a retry is scheduled)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  })
  readonly storeDuration = new Histogram({
    name: 'floodgate_store_operation_duration_seconds',
    help: 'Store operation latency, transactions included',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  })

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'floodgate_' })
  }

  /**
   * Adds the `floodgate_delivery_*` gauges, computed at each scrape from
   * `load` (every environment's delivery metrics), which runs once per scrape.
   */
  trackDelivery(load: () => Promise<DeliveryMetrics[]>): void {
    let pending: Promise<DeliveryMetrics[]> | undefined
    const shared = () => {
      pending ??= load().finally(() => {
        pending = undefined
      })
      return pending
    }
    const gauge = (name: string, help: string, value: (m: DeliveryMetrics) => number | null) =>
      new Gauge({
        name: `floodgate_delivery_${name}`,
        help: `${help} (last 30 days)`,
        labelNames: ['environment'] as const,
        registers: [this.registry],
        async collect() {
          const all = await shared()
          this.reset()
          for (const m of all) {
            const v = value(m)
            if (v !== null) this.set({ environment: m.environment }, v)
          }
        },
      })
    gauge('rollouts_started', 'Rollouts started', (m) => m.rollouts.started)
    gauge('rollouts_completed', 'Rollouts that reached 100 %', (m) => m.rollouts.completed)
    gauge(
      'rollouts_reverted',
      'Rollouts reverted by their failure action',
      (m) => m.rollouts.reverted,
    )
    gauge('rollouts_aborted', 'Rollouts aborted by hand', (m) => m.rollouts.aborted)
    gauge('rollouts_active', 'Rollouts running or paused now', (m) => m.rollouts.active)
    gauge('change_failure_rate', 'Reverted / (completed + reverted)', (m) => m.changeFailureRate)
    gauge(
      'time_to_detect_seconds',
      'Median time from the start of the failing stage to the first alarm',
      (m) => m.timeToDetect.medianSeconds,
    )
    gauge(
      'time_to_revert_seconds',
      'Median time from the start of the failing stage to the revert',
      (m) => m.timeToRevert.medianSeconds,
    )
    gauge(
      'time_to_full_rollout_seconds',
      'Median time from the start of a completed rollout to 100 %',
      (m) => m.timeToFullRollout.medianSeconds,
    )
  }
}

/** Wraps a store so that every async operation's latency lands in `floodgate_store_operation_duration_seconds`. */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || property === 'subscribe') return value
      const operation = String(property)
      return (...args: unknown[]) => {
        const stop = metrics.storeDuration.startTimer({ operation })
        const result: unknown = value.apply(target, args)
        if (result instanceof Promise) {
          result.then(
            () => stop({ outcome: 'ok' }),
            () => stop({ outcome: 'error' }),
          )
        }
        return result
      }
    },
  })
}
