import type { Segment, Snapshot, SnapshotFlag } from '@floodgate/core'
import { segmentKeysOf } from './snapshotFlag'
import { formatSseEvent } from './sseStream'
import type { Change, EnvironmentState } from './types'

/**
 * Who reads a snapshot: `server` tokens see everything; `client` tokens see
 * only `clientSide` flags and the segments those flags refer to.
 */
export type Audience = 'server' | 'client'

type PatchBody =
  | { type: 'flag'; version: number; key: string; flag: SnapshotFlag | null }
  | { type: 'segment'; version: number; key: string; segment: Segment | null }

/** What one change means for one audience: a patch, a whole new snapshot (`put`), or nothing. */
type AudienceUpdate = PatchBody | 'put' | null

interface RingEntry {
  version: number
  server: AudienceUpdate
  client: AudienceUpdate
}

/** An audience's snapshot at one version, as an object, as JSON and as a `put` frame. */
interface CachedSnapshot {
  version: number
  json: string
  snapshot: Snapshot
  put?: Buffer
}

/** What `apply` made of a change: frames to send per audience, or why it could not be applied. */
export type ApplyResult =
  | { status: 'applied'; server: Buffer | 'put' | null; client: Buffer | 'put' | null }
  | { status: 'stale' }
  | { status: 'gap' }

/**
 * The in-memory state of one environment, kept current from committed
 * changes: it serves snapshots and SSE frames serialized once per version
 * and audience, and a bounded ring of recent changes for `Last-Event-ID`.
 *
 * Each audience has its own version: the environment version at which what
 * it sees last changed. A client stream's patches then chain
 * (`previousVersion` = the version it delivered last) even though client
 * tokens do not see every change of their environment.
 */
export class EnvironmentView {
  readonly name: string
  private version: number
  private readonly flags = new Map<string, SnapshotFlag>()
  private readonly segments = new Map<string, Segment>()
  private clientSegmentKeys = new Set<string>()
  private readonly audienceVersion: Record<Audience, number>
  private readonly cache: Partial<Record<Audience, CachedSnapshot>> = {}
  private readonly ring: RingEntry[] = []

  constructor(
    state: EnvironmentState,
    private readonly ringSize: number,
  ) {
    this.name = state.name
    this.version = state.version
    for (const flag of state.flags) this.flags.set(flag.key, flag)
    for (const [key, segment] of Object.entries(state.segments)) this.segments.set(key, segment)
    this.clientSegmentKeys = this.computeClientSegmentKeys()
    // After a (re)load the client view's last change is unknown: the environment version is a safe upper bound.
    this.audienceVersion = { server: state.version, client: state.version }
  }

  /** The environment's version. */
  get currentVersion(): number {
    return this.version
  }

  /** The version of what this audience sees (the snapshot's `version` and `ETag`). */
  versionFor(audience: Audience): number {
    return this.audienceVersion[audience]
  }

  /** The variants of a flag, for checking signals against. */
  variantsOf(flagKey: string): Record<string, unknown> | undefined {
    return this.flags.get(flagKey)?.variants
  }

  /** The snapshot an audience sees, serialized once per version. */
  snapshot(audience: Audience): { version: number; json: string } {
    return this.cached(audience)
  }

  /** The snapshot an audience sees, as an object built once per version: treat it as immutable. */
  snapshotObject(audience: Audience): Snapshot {
    return this.cached(audience).snapshot
  }

  private cached(audience: Audience): CachedSnapshot {
    const version = this.audienceVersion[audience]
    const cached = this.cache[audience]
    if (cached?.version === version) return cached
    const snapshot: Snapshot = {
      schemaVersion: 1,
      environment: this.name,
      version,
      flags: {},
      segments: {},
    }
    for (const [key, flag] of this.flags) {
      if (audience === 'server' || flag.clientSide === true) snapshot.flags[key] = flag
    }
    for (const [key, segment] of this.segments) {
      if (audience === 'server' || this.clientSegmentKeys.has(key)) snapshot.segments[key] = segment
    }
    const entry: CachedSnapshot = { version, json: JSON.stringify(snapshot), snapshot }
    this.cache[audience] = entry
    return entry
  }

  /** The `put` frame of an audience's current snapshot. */
  putFrame(audience: Audience): Buffer {
    const { version, json } = this.snapshot(audience)
    const cached = this.cache[audience]
    if (cached?.put && cached.version === version) return cached.put
    const put = Buffer.from(formatSseEvent({ id: version, event: 'put', data: json }))
    if (cached) cached.put = put
    return put
  }

  /**
   * Applies a committed change. `stale` when it is already applied, `gap`
   * when changes before it are missing (the caller reloads the environment).
   */
  apply(change: Exclude<Change, { type: 'environment' }>): ApplyResult {
    if (change.version <= this.version) return { status: 'stale' }
    if (change.version !== this.version + 1) return { status: 'gap' }
    const serverPatch: PatchBody =
      change.type === 'flag'
        ? { type: 'flag', version: change.version, key: change.key, flag: change.flag }
        : { type: 'segment', version: change.version, key: change.key, segment: change.segment }
    const client = change.type === 'flag' ? this.applyFlag(change) : this.applySegment(change)
    this.version = change.version
    const entry: RingEntry = { version: change.version, server: serverPatch, client }
    this.ring.push(entry)
    if (this.ring.length > this.ringSize) this.ring.shift()
    return {
      status: 'applied',
      server: this.advance('server', serverPatch),
      client: this.advance('client', client),
    }
  }

  /**
   * What a stream that last received `lastEventId` has missed: the patches
   * (chained from `lastEventId`), or `put` when the ring no longer holds them.
   */
  missedSince(audience: Audience, lastEventId: number): Buffer[] | 'put' {
    const current = this.audienceVersion[audience]
    if (lastEventId === current) return []
    if (lastEventId > current) return 'put'
    const first = this.ring[0]
    if (!first || first.version > lastEventId + 1) return 'put'
    const frames: Buffer[] = []
    let previous = lastEventId
    for (const entry of this.ring) {
      if (entry.version <= lastEventId) continue
      const update = entry[audience]
      if (update === null) continue
      if (update === 'put') return 'put'
      frames.push(patchFrame(update, previous))
      previous = update.version
    }
    return frames
  }

  private applyFlag(change: Extract<Change, { type: 'flag' }>): AudienceUpdate {
    const before = this.flags.get(change.key)
    if (change.flag) this.flags.set(change.key, change.flag)
    else this.flags.delete(change.key)
    const wasVisible = before?.clientSide === true
    const isVisible = change.flag?.clientSide === true
    if (!wasVisible && !isVisible) return null
    const segmentKeys = this.computeClientSegmentKeys()
    const segmentsChanged = !sameSet(segmentKeys, this.clientSegmentKeys)
    this.clientSegmentKeys = segmentKeys
    // A patch carries one flag or one segment: when the set of segments a browser needs changes, send it all.
    if (segmentsChanged) return 'put'
    return {
      type: 'flag',
      version: change.version,
      key: change.key,
      flag: isVisible ? change.flag : null,
    }
  }

  private applySegment(change: Extract<Change, { type: 'segment' }>): AudienceUpdate {
    if (change.segment) this.segments.set(change.key, change.segment)
    else this.segments.delete(change.key)
    if (!this.clientSegmentKeys.has(change.key)) return null
    return { type: 'segment', version: change.version, key: change.key, segment: change.segment }
  }

  private advance(audience: Audience, update: AudienceUpdate): Buffer | 'put' | null {
    if (update === null) return null
    const previous = this.audienceVersion[audience]
    this.audienceVersion[audience] = update === 'put' ? this.version : update.version
    return update === 'put' ? 'put' : patchFrame(update, previous)
  }

  private computeClientSegmentKeys(): Set<string> {
    const keys = new Set<string>()
    for (const flag of this.flags.values()) {
      if (flag.clientSide === true) for (const key of segmentKeysOf(flag)) keys.add(key)
    }
    return keys
  }
}

function patchFrame(patch: PatchBody, previousVersion: number): Buffer {
  const { type, version, key } = patch
  const body =
    patch.type === 'flag'
      ? { type, version, previousVersion, key, flag: patch.flag }
      : { type, version, previousVersion, key, segment: patch.segment }
  return Buffer.from(formatSseEvent({ id: version, event: 'patch', data: JSON.stringify(body) }))
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false
  for (const key of a) if (!b.has(key)) return false
  return true
}
