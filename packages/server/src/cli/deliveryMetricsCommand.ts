import type { Command } from 'commander'
import type { DeliveryMetrics, DurationSummary } from '../rollouts/deliveryMetrics'
import { formatTable } from './table'
import type { CommandHelpers } from './webhooksCommand'

function duration(summary: DurationSummary): string {
  const s = summary.medianSeconds
  if (s === null) return '-'
  if (s < 120) return `${Math.round(s * 10) / 10} s`
  if (s < 7200) return `${Math.round(s / 6) / 10} min`
  return `${Math.round(s / 360) / 10} h`
}

/** `floodgate metrics [--env] [--days]`: delivery metrics per environment. */
export function addDeliveryMetricsCommand(
  program: Command,
  { globals, print }: CommandHelpers,
): void {
  program
    .command('metrics')
    .description('delivery metrics per environment: rollouts, change failure rate, medians')
    .option('--env <env>', 'only this environment')
    .option('--days <n>', 'window in days, ending now', '30')
    .action(async (o: { env?: string; days: string }, command: Command) => {
      const { api, json } = globals(command)
      const names = await api.environmentNames(o.env)
      const query = new URLSearchParams({ days: o.days })
      const metrics = await Promise.all(
        names.map((name) =>
          api.request<DeliveryMetrics>(
            'GET',
            `/v1/admin/environments/${encodeURIComponent(name)}/metrics/delivery?${query}`,
          ),
        ),
      )
      print(json, { metrics }, () =>
        formatTable(
          [
            'ENV',
            'STARTED',
            'COMPLETED',
            'REVERTED',
            'ABORTED',
            'ACTIVE',
            'FAILURE RATE',
            'DETECT',
            'REVERT',
            'TO 100%',
          ],
          metrics.map((m) => [
            m.environment,
            String(m.rollouts.started),
            String(m.rollouts.completed),
            String(m.rollouts.reverted),
            String(m.rollouts.aborted),
            String(m.rollouts.active),
            m.changeFailureRate === null ? '-' : `${Math.round(m.changeFailureRate * 1000) / 10}%`,
            duration(m.timeToDetect),
            duration(m.timeToRevert),
            duration(m.timeToFullRollout),
          ]),
        ),
      )
    })
}
