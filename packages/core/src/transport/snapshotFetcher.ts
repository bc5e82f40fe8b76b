import type { KyInstance } from 'ky'
import { TransportError } from '../errors'
import { messageOf } from '../evaluate'
import type { Snapshot } from '../schemas'
import { validateSnapshot } from '../snapshotValidator'
import { toTransportError } from './httpClient'

/** What one fetch of the snapshot got. */
export type FetchResult =
  /** A snapshot, valid against the schema. */
  | { status: 'modified'; snapshot: Snapshot }
  /** `304`: the snapshot of the last `modified` answer is still current. */
  | { status: 'not_modified' }

/**
 * `GET /v1/sdk/snapshot` with `If-None-Match` set to the last ETag the
 * server sent, so an unchanged configuration costs a `304` and no body. The
 * body is parsed against the snapshot schema here, at the boundary. Throws a
 * `TransportError`.
 */
export class SnapshotFetcher {
  private etag: string | undefined

  constructor(private readonly http: KyInstance) {}

  /** Forgets the ETag, so the next fetch gets the whole snapshot. */
  reset(): void {
    this.etag = undefined
  }

  async fetch(signal?: AbortSignal): Promise<FetchResult> {
    let response: Response
    try {
      response = await this.http.get('v1/sdk/snapshot', {
        headers: this.etag === undefined ? {} : { 'if-none-match': this.etag },
        ...(signal === undefined ? {} : { signal }),
      })
    } catch (error) {
      throw toTransportError(error, 'fetching the snapshot')
    }
    if (response.status === 304) return { status: 'not_modified' }
    let text: string
    try {
      text = await response.text()
    } catch (error) {
      throw toTransportError(error, 'reading the snapshot')
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (error) {
      throw new TransportError(
        'invalid_response',
        `fetching the snapshot: the body is not JSON (${messageOf(error)})`,
        { cause: error, status: response.status },
      )
    }
    const parsed = validateSnapshot(body)
    if (!parsed.success) {
      const first = parsed.issues[0]
      throw new TransportError(
        'invalid_response',
        `fetching the snapshot: not a valid snapshot${first ? ` (${first.path} ${first.message})` : ''}`,
        { status: response.status },
      )
    }
    this.etag = response.headers.get('etag') ?? undefined
    return { status: 'modified', snapshot: parsed.data }
  }
}
