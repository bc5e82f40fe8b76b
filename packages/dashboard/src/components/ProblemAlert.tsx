import { ApiError } from '../api/apiError'

/** A failed call as a person reads it: the server's detail and every field problem with its path. */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null
  const apiError = error instanceof ApiError ? error : undefined
  const detail = error instanceof Error ? error.message : String(error)
  return (
    <div className="problem" role="alert">
      <strong>
        {title ?? (apiError?.status === 409 ? 'Conflict' : 'The server refused this')}
      </strong>
      <p>
        {detail}
        {apiError && apiError.status > 0 ? ` (${apiError.status} ${apiError.code})` : ''}
      </p>
      {apiError && apiError.errors.length > 0 ? (
        <ul>
          {apiError.errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path}</code> {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}

/** The problems of one field, read from the server's `errors` by JSON-pointer path. */
export function FieldErrors({ error, path, id }: { error: unknown; path: string; id?: string }) {
  if (!(error instanceof ApiError)) return null
  const items = error.errors.filter((e) => e.path === path)
  if (items.length === 0) return null
  return (
    <span className="field-error" id={id}>
      {items.map((e) => e.message).join('; ')}
    </span>
  )
}

/** Whether the server's problem names this path (for `aria-invalid`). */
export function hasErrorAt(error: unknown, path: string): boolean {
  return error instanceof ApiError && error.errors.some((e) => e.path === path)
}
