import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import { useAdminApi } from '../api/AdminApiProvider'
import { keys } from '../api/queries'
import type { FlagKind, NewFlag } from '../api/types'
import { FieldErrors, hasErrorAt, ProblemAlert } from '../components/ProblemAlert'
import { Link, navigate } from '../router'

interface VariantRow {
  name: string
  value: string
}

const STARTING_VARIANTS: Record<Exclude<FlagKind, 'boolean'>, VariantRow[]> = {
  string: [
    { name: 'control', value: 'control' },
    { name: 'treatment', value: 'treatment' },
  ],
  number: [
    { name: 'low', value: '0' },
    { name: 'high', value: '1' },
  ],
  json: [
    { name: 'off', value: '{}' },
    { name: 'on', value: '{"enabled": true}' },
  ],
}

/**
 * Creates a flag. The server checks the definition; its problems show next
 * to the fields they name. A new flag is disabled in every environment.
 */
export function NewFlagPage() {
  const api = useAdminApi()
  const client = useQueryClient()
  const id = useId()
  const [key, setKey] = useState('')
  const [kind, setKind] = useState<FlagKind>('boolean')
  const [variants, setVariants] = useState<VariantRow[]>([])
  const [offVariant, setOffVariant] = useState('')
  const [description, setDescription] = useState('')
  const [tags, setTags] = useState('')
  const [clientSide, setClientSide] = useState(false)
  const [localError, setLocalError] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (definition: NewFlag) => api.createFlag(definition),
    onSuccess: async (flag) => {
      await client.invalidateQueries({ queryKey: keys.flags })
      navigate(`/flags/${encodeURIComponent(flag.key)}`)
    },
  })
  const changeKind = (next: FlagKind) => {
    setKind(next)
    if (next !== 'boolean') {
      const rows = STARTING_VARIANTS[next]
      setVariants(rows)
      setOffVariant(rows[0]?.name ?? '')
    }
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    setLocalError(null)
    const values: NewFlag['variants'] = {}
    for (const row of variants) {
      const parsed = parseValue(kind, row.value)
      if (!parsed.ok) {
        setLocalError(`Variant "${row.name}": ${parsed.message}`)
        return
      }
      values[row.name] = parsed.value as NonNullable<NewFlag['variants']>[string]
    }
    create.mutate({
      key: key.trim(),
      kind,
      description: description.trim(),
      tags: tags
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
      clientSide,
      ...(kind === 'boolean' ? {} : { variants: values, offVariant }),
    })
  }
  const error = create.error
  const field = (path: string) => ({
    'aria-invalid': hasErrorAt(error, path) || undefined,
    'aria-describedby': `${id}${path}`,
  })
  return (
    <section>
      <p className="crumbs">
        <Link to="/flags">Flags</Link> / New flag
      </p>
      <h1>New flag</h1>
      <form onSubmit={submit} className="card form">
        <label className="field" htmlFor={`${id}key`}>
          <span>Key</span>
          <input
            id={`${id}key`}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="new-checkout"
            required
            {...field('/key')}
          />
          <FieldErrors error={error} path="/key" id={`${id}/key`} />
          <span className="hint">Lower-case letters, digits, dots, dashes and underscores.</span>
        </label>
        <label className="field" htmlFor={`${id}kind`}>
          <span>Kind</span>
          <select
            id={`${id}kind`}
            value={kind}
            onChange={(e) => changeKind(e.target.value as FlagKind)}
          >
            <option value="boolean">boolean (on / off)</option>
            <option value="string">string</option>
            <option value="number">number</option>
            <option value="json">json</option>
          </select>
        </label>
        {kind !== 'boolean' ? (
          <fieldset>
            <legend>Variants</legend>
            <FieldErrors error={error} path="/variants" />
            {variants.map((row, i) => (
              // Rows are edited in place; their position is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <div className="row" key={i}>
                <label className="field inline">
                  <span>Name</span>
                  <input
                    value={row.name}
                    onChange={(e) =>
                      setVariants(
                        variants.map((v, j) => (j === i ? { ...v, name: e.target.value } : v)),
                      )
                    }
                  />
                </label>
                <label className="field inline">
                  <span>Value ({kind})</span>
                  <input
                    value={row.value}
                    onChange={(e) =>
                      setVariants(
                        variants.map((v, j) => (j === i ? { ...v, value: e.target.value } : v)),
                      )
                    }
                    {...field(`/variants/${row.name}`)}
                  />
                </label>
                <FieldErrors
                  error={error}
                  path={`/variants/${row.name}`}
                  id={`${id}/variants/${row.name}`}
                />
                <button
                  type="button"
                  onClick={() => setVariants(variants.filter((_, j) => j !== i))}
                  aria-label={`Remove variant ${row.name}`}
                >
                  Remove
                </button>
              </div>
            ))}
            <button
              type="button"
              onClick={() => setVariants([...variants, { name: '', value: '' }])}
            >
              Add a variant
            </button>
            <label className="field" htmlFor={`${id}off`}>
              <span>Off variant (served when disabled or killed)</span>
              <select
                id={`${id}off`}
                value={offVariant}
                onChange={(e) => setOffVariant(e.target.value)}
                {...field('/offVariant')}
              >
                {variants.map((v) => (
                  <option key={v.name} value={v.name}>
                    {v.name}
                  </option>
                ))}
              </select>
              <FieldErrors error={error} path="/offVariant" id={`${id}/offVariant`} />
            </label>
          </fieldset>
        ) : null}
        <label className="field" htmlFor={`${id}description`}>
          <span>Description</span>
          <textarea
            id={`${id}description`}
            value={description}
            rows={2}
            onChange={(e) => setDescription(e.target.value)}
            {...field('/description')}
          />
          <FieldErrors error={error} path="/description" id={`${id}/description`} />
        </label>
        <label className="field" htmlFor={`${id}tags`}>
          <span>Tags (comma-separated)</span>
          <input
            id={`${id}tags`}
            value={tags}
            onChange={(e) => setTags(e.target.value)}
            {...field('/tags')}
          />
          <FieldErrors error={error} path="/tags" id={`${id}/tags`} />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={clientSide}
            onChange={(e) => setClientSide(e.target.checked)}
          />
          Browsers may see it (client-side SDK tokens)
        </label>
        {localError ? (
          <p className="problem" role="alert">
            {localError}
          </p>
        ) : null}
        <ProblemAlert error={error} title="The flag was not created" />
        <div className="actions">
          <Link to="/flags" className="button">
            Cancel
          </Link>
          <button type="submit" className="primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create flag'}
          </button>
        </div>
      </form>
    </section>
  )
}

function parseValue(
  kind: FlagKind,
  text: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (kind === 'string') return { ok: true, value: text }
  if (kind === 'number') {
    const value = Number(text)
    return text.trim() !== '' && Number.isFinite(value)
      ? { ok: true, value }
      : { ok: false, message: 'must be a number' }
  }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false, message: 'must be JSON, e.g. {"limit": 3}' }
  }
}
