import type { ClientStatus } from '@floodgate/core'
import { GeneralError, ProviderFatalError } from '@openfeature/core'

/**
 * What the client's status after its first sync means for `initialize`:
 * `ready` with a current snapshot, `stale` serving a cached or bootstrap
 * snapshot the server could not confirm. With nothing to serve it throws:
 * a `ProviderFatalError` when the server refused the token (the SDK's
 * `FATAL`: a wrong or revoked token does not heal by retrying), a
 * `GeneralError` otherwise (`ERROR`; the client keeps trying, and
 * `PROVIDER_READY` follows when it succeeds).
 */
export function initialState(status: ClientStatus): 'ready' | 'stale' {
  switch (status.status) {
    case 'ready':
      return 'ready'
    case 'stale':
      return 'stale'
    case 'loading':
      throw new GeneralError('Floodgate: no configuration from the server yet; still trying')
    case 'error':
      if (status.error.code === 'unauthorized') {
        throw new ProviderFatalError(`Floodgate: ${status.error.message}`, { cause: status.error })
      }
      throw new GeneralError(`Floodgate: ${status.error.message}; still trying`, {
        cause: status.error,
      })
  }
}
