import { type RenderResult, render } from '@testing-library/react'
import { App } from '../App'
import { navigate } from '../router'
import { session } from '../session'

/** Renders the whole dashboard at a path, signed in with `token` unless it is `null`. */
export function renderApp(baseUrl: string, token: string | null, path = '/flags'): RenderResult {
  if (token !== null) session.signIn(token)
  navigate(path, { replace: true })
  return render(<App baseUrl={baseUrl} />)
}
