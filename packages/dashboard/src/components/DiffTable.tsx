import { diffValues, showValue } from '../diff'

/** Before and after, one row per changed leaf; says so when nothing differs. */
export function DiffTable({
  before,
  after,
  beforeLabel = 'Before',
  afterLabel = 'After',
  caption,
}: {
  before: unknown
  after: unknown
  beforeLabel?: string
  afterLabel?: string
  caption?: string
}) {
  const rows = diffValues(before, after)
  if (rows.length === 0) return <p className="muted">No differences.</p>
  return (
    <table className="diff">
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">{beforeLabel}</th>
          <th scope="col">{afterLabel}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.path}>
            <th scope="row">
              <code>{row.path}</code>
            </th>
            <td className="removed">
              <code>{showValue(row.before)}</code>
            </td>
            <td className="added">
              <code>{showValue(row.after)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
