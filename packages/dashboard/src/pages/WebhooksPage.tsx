import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys, useEnvironments } from '../api/queries'
import type { WebhookEndpoint } from '../api/types'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { FieldErrors, ProblemAlert } from '../components/ProblemAlert'
import { SecretOnce } from '../components/SecretOnce'
import { formatTime } from '../flagState'

const EVENTS = [
  'rollout.started',
  'rollout.promoted',
  'rollout.paused',
  'rollout.resumed',
  'rollout.reverted',
  'rollout.completed',
  'rollout.aborted',
]

/** Webhook endpoints for rollout events: create (the signing secret is shown once), enable or disable, test, delete, deliveries. */
export function WebhooksPage() {
  const api = useAdminApi()
  const client = useQueryClient()
  const id = useId()
  const webhooks = useQuery({
    queryKey: keys.webhooks,
    queryFn: async () => (await api.listWebhooks()).webhooks,
  })
  const environments = useEnvironments()
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [events, setEvents] = useState<string[]>([])
  const [envs, setEnvs] = useState<string[]>([])
  const [secret, setSecret] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const refresh = () => client.invalidateQueries({ queryKey: keys.webhooks })
  const create = useMutation({
    mutationFn: () =>
      api.createWebhook({
        url: url.trim(),
        description: description.trim(),
        events,
        environments: envs,
      }),
    onSuccess: async (result) => {
      setSecret(result.secret)
      setUrl('')
      setDescription('')
      await refresh()
    },
  })
  const act = useMutation({
    mutationFn: (action: () => Promise<unknown>) => action(),
    onSuccess: refresh,
  })
  const toggle = (list: string[], value: string) =>
    list.includes(value) ? list.filter((v) => v !== value) : [...list, value]
  const submit = (event: FormEvent) => {
    event.preventDefault()
    create.mutate()
  }
  return (
    <section>
      <h1>Webhooks</h1>
      {secret ? (
        <SecretOnce
          label="Signing secret of the new webhook"
          secret={secret}
          onDismiss={() => setSecret(null)}
        />
      ) : null}
      <form onSubmit={submit} className="card form" aria-label="New webhook">
        <h2>New webhook</h2>
        <label className="field" htmlFor={`${id}url`}>
          <span>URL</span>
          <input
            id={`${id}url`}
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            required
            placeholder="https://hooks.example.com/floodgate"
          />
          <FieldErrors error={create.error} path="/url" />
        </label>
        <label className="field" htmlFor={`${id}desc`}>
          <span>Description</span>
          <input
            id={`${id}desc`}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <fieldset>
          <legend>Events (none checked: every rollout event)</legend>
          <div className="checks">
            {EVENTS.map((event) => (
              <label key={event} className="check">
                <input
                  type="checkbox"
                  checked={events.includes(event)}
                  onChange={() => setEvents(toggle(events, event))}
                />
                {event}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Environments (none checked: every environment)</legend>
          <div className="checks">
            {(environments.data ?? []).map((e) => (
              <label key={e.name} className="check">
                <input
                  type="checkbox"
                  checked={envs.includes(e.name)}
                  onChange={() => setEnvs(toggle(envs, e.name))}
                />
                {e.name}
              </label>
            ))}
          </div>
        </fieldset>
        <ProblemAlert error={create.error} title="The webhook was not created" />
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create webhook
          </button>
        </div>
      </form>
      <ProblemAlert error={webhooks.error ?? act.error} />
      {webhooks.data && webhooks.data.length === 0 ? (
        <p className="muted">No webhooks yet.</p>
      ) : null}
      {webhooks.data && webhooks.data.length > 0 ? (
        <table className="grid">
          <caption className="visually-hidden">Webhook endpoints</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Environments</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {webhooks.data.map((w) => (
              <tr key={w.id}>
                <td>
                  <code>{w.url}</code>
                  {w.description ? <div className="muted small">{w.description}</div> : null}
                  {open === w.id ? <Deliveries id={w.id} /> : null}
                </td>
                <td>{w.events.length === 0 ? 'all' : w.events.join(', ')}</td>
                <td>{w.environments.length === 0 ? 'all' : w.environments.join(', ')}</td>
                <td>{w.enabled ? 'enabled' : 'disabled'}</td>
                <td>
                  <div className="row">
                    <button
                      type="button"
                      onClick={() =>
                        act.mutate(() => api.updateWebhook(w.id, { enabled: !w.enabled }))
                      }
                    >
                      {w.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button
                      type="button"
                      onClick={() =>
                        act.mutate(async () => {
                          await api.testWebhook(w.id)
                          setOpen(w.id)
                          await client.invalidateQueries({ queryKey: keys.deliveries(w.id) })
                        })
                      }
                    >
                      Send a test
                    </button>
                    <button
                      type="button"
                      onClick={() => setOpen(open === w.id ? null : w.id)}
                      aria-expanded={open === w.id}
                    >
                      Deliveries
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setDeleting(w)}
                      aria-label={`Delete the webhook ${w.url}`}
                    >
                      Delete…
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this webhook?"
          confirmLabel="Delete the webhook"
          danger
          onConfirm={() => act.mutateAsync(() => api.deleteWebhook(deleting.id))}
          onClose={() => setDeleting(null)}
        >
          <p>
            <code>{deleting.url}</code> gets no more events, and its delivery log is deleted.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}

function Deliveries({ id }: { id: string }) {
  const api = useAdminApi()
  const deliveries = useQuery({
    queryKey: keys.deliveries(id),
    queryFn: async () => (await api.listDeliveries(id)).deliveries,
    refetchInterval: 3000,
  })
  if (deliveries.error) return <ProblemAlert error={deliveries.error} />
  if (!deliveries.data) return <p className="muted">Loading deliveries…</p>
  if (deliveries.data.length === 0) return <p className="muted">No deliveries yet.</p>
  return (
    <ul className="deliveries">
      {deliveries.data.map((d) => (
        <li key={d.id}>
          <span className={`badge badge-delivery-${d.state}`}>{d.state}</span> {d.eventType} ·{' '}
          {formatTime(d.createdAt)} · {d.attempts} attempt(s)
          {d.log.at(-1) ? ` · last: ${d.log.at(-1)?.statusCode ?? d.log.at(-1)?.error}` : ''}
        </li>
      ))}
    </ul>
  )
}
