import { ApiError } from '../api/apiError'

/** The server's problems at a JSON-pointer path and below it, listed where that part is edited. */
export function PathErrors({ error, path }: { error: unknown; path: string }) {
  if (!(error instanceof ApiError)) return null
  const items = error.errorsAt(path)
  if (items.length === 0) return null
  return (
    <ul className="field-error">
      {items.map((e) => (
        <li key={`${e.path}:${e.message}`}>
          {e.path === path ? '' : <code>{e.path.slice(path.length + 1)}</code>} {e.message}
        </li>
      ))}
    </ul>
  )
}
