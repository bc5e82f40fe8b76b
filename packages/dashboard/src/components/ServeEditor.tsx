import { useId } from 'react'
import { type ServeDraft, splitTotal } from '../configDraft'
import { formatPercent } from '../flagState'
import { PathErrors } from './PathErrors'

/** Edits what a rule or the fallthrough serves: one variant, or a split in percentages hashed by an attribute. */
export function ServeEditor({
  label,
  value,
  variants,
  onChange,
  error,
  path,
}: {
  label: string
  value: ServeDraft
  variants: string[]
  onChange: (next: ServeDraft) => void
  error: unknown
  path: string
}) {
  const id = useId()
  const total = splitTotal(value)
  const switchMode = (mode: ServeDraft['mode']) => {
    if (mode === value.mode) return
    if (mode === 'variant') onChange({ mode: 'variant', variant: variants[0] ?? '' })
    else
      onChange({
        mode: 'split',
        rows: variants
          .slice(0, 2)
          .map((variant, i) => ({ variant, percent: i === 0 ? '0' : '100' })),
        by: 'userId',
      })
  }
  return (
    <fieldset className="serve">
      <legend>{label}</legend>
      <label className="field inline" htmlFor={`${id}mode`}>
        <span>Serve</span>
        <select
          id={`${id}mode`}
          value={value.mode}
          onChange={(e) => switchMode(e.target.value as ServeDraft['mode'])}
        >
          <option value="variant">one variant</option>
          <option value="split">a percentage split</option>
        </select>
      </label>
      {value.mode === 'variant' ? (
        <label className="field inline" htmlFor={`${id}variant`}>
          <span>Variant</span>
          <select
            id={`${id}variant`}
            value={value.variant}
            onChange={(e) => onChange({ mode: 'variant', variant: e.target.value })}
          >
            {variants.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
      ) : (
        <>
          {value.rows.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: split rows are ordered and edited in place
            <div className="row" key={i}>
              <label className="field inline">
                <span>Variant</span>
                <select
                  value={row.variant}
                  onChange={(e) =>
                    onChange({
                      ...value,
                      rows: value.rows.map((r, j) =>
                        j === i ? { ...r, variant: e.target.value } : r,
                      ),
                    })
                  }
                >
                  {variants.map((v) => (
                    <option key={v}>{v}</option>
                  ))}
                </select>
              </label>
              <label className="field inline">
                <span>Percent</span>
                <input
                  inputMode="decimal"
                  className="narrow"
                  value={row.percent}
                  onChange={(e) =>
                    onChange({
                      ...value,
                      rows: value.rows.map((r, j) =>
                        j === i ? { ...r, percent: e.target.value } : r,
                      ),
                    })
                  }
                />
              </label>
              <button
                type="button"
                onClick={() => onChange({ ...value, rows: value.rows.filter((_, j) => j !== i) })}
                aria-label={`Remove ${row.variant} from the split`}
              >
                Remove
              </button>
            </div>
          ))}
          <div className="row">
            <button
              type="button"
              onClick={() =>
                onChange({
                  ...value,
                  rows: [...value.rows, { variant: variants[0] ?? '', percent: '0' }],
                })
              }
            >
              Add a variant to the split
            </button>
            <label className="field inline" htmlFor={`${id}by`}>
              <span>Hash by attribute</span>
              <input
                id={`${id}by`}
                value={value.by}
                onChange={(e) => onChange({ ...value, by: e.target.value })}
              />
            </label>
            <span
              className={
                total !== undefined && Math.abs(total - 100) > 1e-9 ? 'field-error' : 'muted'
              }
            >
              Total {formatPercent(total ?? 0)}
            </span>
          </div>
        </>
      )}
      <PathErrors error={error} path={path} />
    </fieldset>
  )
}
