import type { Command } from 'commander'
import type { WebhookDelivery, WebhookEndpoint } from '../types'
import type { ApiClient } from './apiClient'
import { formatTable } from './table'

/** What the webhooks commands borrow from the program: the API client and the printer. */
export interface CommandHelpers {
  globals(command: Command): { api: ApiClient; json: boolean }
  print(json: boolean, value: unknown, human: () => string): void
}

const list = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)

function lastAttempt(delivery: WebhookDelivery): string {
  const last = delivery.log.at(-1)
  if (!last) return 'not attempted yet'
  const outcome = last.error ?? `HTTP ${last.statusCode}`
  return `${outcome} in ${last.durationMs} ms`
}

function describeDelivery(delivery: WebhookDelivery): string {
  const next =
    delivery.state === 'pending' && delivery.nextAttemptAt
      ? `; next attempt at ${delivery.nextAttemptAt}`
      : ''
  return `${delivery.eventType} ${delivery.id}: ${delivery.state} after ${delivery.attempts} attempt(s), last ${lastAttempt(delivery)}${next}`
}

/** `floodgate webhooks list|create|update|delete|test|deliveries`. */
export function addWebhooksCommand(program: Command, { globals, print }: CommandHelpers): void {
  const path = (id: string, rest = '') => `/v1/admin/webhooks/${encodeURIComponent(id)}${rest}`
  const webhooks = program.command('webhooks').description('webhook endpoints for rollout events')

  webhooks
    .command('list')
    .description('list webhook endpoints (never their secrets)')
    .action(async (_o, command: Command) => {
      const { api, json } = globals(command)
      const result = await api.request<{ webhooks: WebhookEndpoint[] }>('GET', '/v1/admin/webhooks')
      print(json, result, () =>
        formatTable(
          ['ID', 'URL', 'EVENTS', 'ENVS', 'ENABLED', 'SECRET', 'DESCRIPTION'],
          result.webhooks.map((w) => [
            w.id,
            w.url,
            w.events.length === 0 ? '*' : w.events.join(','),
            w.environments.length === 0 ? '*' : w.environments.join(','),
            w.enabled ? 'yes' : 'no',
            w.secretHint,
            w.description,
          ]),
        ),
      )
    })

  webhooks
    .command('create <url>')
    .description('add an endpoint; its signing secret is shown only once')
    .option('--events <list>', 'comma-separated event types, e.g. rollout.reverted (default all)')
    .option('--env <list>', 'comma-separated environments (default all)')
    .option('--description <text>', 'description')
    .option('--disabled', 'create it disabled')
    .action(async (url: string, o: Record<string, string | boolean | undefined>, command) => {
      const { api, json } = globals(command as Command)
      const events = list(o.events as string | undefined)
      const environments = list(o.env as string | undefined)
      const body = {
        url,
        ...(events === undefined ? {} : { events }),
        ...(environments === undefined ? {} : { environments }),
        ...(o.description === undefined ? {} : { description: o.description }),
        ...(o.disabled ? { enabled: false } : {}),
      }
      const result = await api.request<{ webhook: WebhookEndpoint; secret: string }>(
        'POST',
        '/v1/admin/webhooks',
        body,
      )
      print(json, result, () =>
        [
          `created webhook ${result.webhook.id} -> ${result.webhook.url}`,
          'signing secret (shown only this once):',
          `  ${result.secret}`,
        ].join('\n'),
      )
    })

  webhooks
    .command('update <id>')
    .description('change an endpoint; --rotate-secret shows the new secret once')
    .option('--url <url>', 'new URL')
    .option('--events <list>', 'comma-separated event types; "*" for all')
    .option('--env <list>', 'comma-separated environments; "*" for all')
    .option('--description <text>', 'description')
    .option('--enable', 'send it new events')
    .option('--disable', 'stop sending it new events')
    .option('--rotate-secret', 'replace the signing secret')
    .action(async (id: string, o: Record<string, string | boolean | undefined>, command) => {
      const { api, json } = globals(command as Command)
      const all = (value: string | boolean | undefined) =>
        value === '*' ? [] : list(value as string | undefined)
      const events = all(o.events)
      const environments = all(o.env)
      if (o.enable && o.disable) throw new Error('--enable and --disable exclude each other')
      const body = {
        ...(o.url === undefined ? {} : { url: o.url }),
        ...(events === undefined ? {} : { events }),
        ...(environments === undefined ? {} : { environments }),
        ...(o.description === undefined ? {} : { description: o.description }),
        ...(o.enable ? { enabled: true } : o.disable ? { enabled: false } : {}),
        ...(o.rotateSecret ? { rotateSecret: true } : {}),
      }
      const result = await api.request<{ webhook: WebhookEndpoint; secret?: string }>(
        'PATCH',
        path(id),
        body,
      )
      print(json, result, () =>
        [
          `updated webhook ${result.webhook.id} -> ${result.webhook.url} (${result.webhook.enabled ? 'enabled' : 'disabled'})`,
          ...(result.secret === undefined
            ? []
            : ['new signing secret (shown only this once):', `  ${result.secret}`]),
        ].join('\n'),
      )
    })

  webhooks
    .command('delete <id>')
    .description('delete an endpoint and its delivery log')
    .action(async (id: string, _o, command: Command) => {
      const { api, json } = globals(command)
      await api.request('DELETE', path(id))
      print(json, { deleted: id }, () => `deleted webhook ${id}`)
    })

  webhooks
    .command('test <id>')
    .description('send a ping event now and show the attempt')
    .action(async (id: string, _o, command: Command) => {
      const { api, json } = globals(command)
      const result = await api.request<{ delivery: WebhookDelivery }>('POST', path(id, '/test'))
      print(json, result, () => describeDelivery(result.delivery))
    })

  webhooks
    .command('deliveries <id>')
    .description('the delivery log of an endpoint, newest first')
    .option('--state <state>', 'only pending, succeeded or failed deliveries')
    .option('--limit <n>', 'how many', '20')
    .action(async (id: string, o: { state?: string; limit: string }, command: Command) => {
      const { api, json } = globals(command)
      const query = new URLSearchParams({ limit: o.limit, ...(o.state ? { state: o.state } : {}) })
      const result = await api.request<{ deliveries: WebhookDelivery[] }>(
        'GET',
        path(id, `/deliveries?${query}`),
      )
      print(json, result, () =>
        formatTable(
          ['DELIVERY', 'EVENT', 'ENV', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT ATTEMPT', 'CREATED'],
          result.deliveries.map((d) => [
            d.id,
            d.eventType,
            d.environment ?? '-',
            d.state,
            String(d.attempts),
            lastAttempt(d),
            d.nextAttemptAt ?? '-',
            d.createdAt,
          ]),
        ),
      )
    })
}
