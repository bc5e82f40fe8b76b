import { randomBytes } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import {
  type FlagConfig,
  FlagConfigSchema,
  type FlagDefinition,
  FlagDefinitionSchema,
  LATENCY_BUCKETS_MS,
  type RolloutDecision,
  RolloutDecisionSchema,
  RolloutPlanSchema,
  type RolloutStatus,
  RolloutStatusSchema,
  type Segment,
  SegmentSchema,
} from '@floodgate/core'
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely'
import { defaultFlagConfig, segmentKeysOf, toSnapshotFlag } from '../snapshotFlag'
import type {
  Actor,
  AuditAction,
  AuditEntry,
  Change,
  CommitEvent,
  Environment,
  EnvironmentState,
  RolloutAction,
  SignalBucket,
  StoredFlag,
  StoredFlagConfig,
  StoredSegment,
  TokenRecord,
  TokenScope,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveryState,
  WebhookEndpoint,
  WebhookEventType,
} from '../types'
import { webhookSecretHint } from '../webhooks/webhookSecret'
import { type Database, LATENCY_COLUMNS, type SignalBucketRow } from './database'
import { SUMMED_COLUMNS, signalRows, sumByBucket } from './signalRows'
import {
  type AuditPage,
  type AuditQuery,
  type ClaimedWebhookDelivery,
  type ConfigChange,
  type ConfigUpdate,
  type NewRollout,
  type NewToken,
  type NewWebhookEndpoint,
  type RolloutObservation,
  type RolloutRecord,
  type RolloutStageSignals,
  type RolloutTransition,
  type RolloutVariantSignals,
  type RolloutWithDecisions,
  type SignalsInput,
  type Store,
  type StoredToken,
  type StoredWebhookEndpoint,
  StoreError,
  type WebhookAttemptResult,
  type WebhookClaim,
  type WebhookDeliveryQuery,
  type WebhookEndpointPatch,
  type WebhookEventInput,
} from './store'

type AuditInput = Omit<AuditEntry, 'id' | 'at' | 'actor' | 'actorTokenId'>

/** What one write transaction may do besides plain queries: bump versions, audit, record changes. */
class WriteContext {
  readonly event: CommitEvent = { changes: [], audit: [] }
  readonly now = new Date().toISOString()

  constructor(
    readonly db: Transaction<Database>,
    readonly actor: Actor,
  ) {}

  async bump(environment: string): Promise<number> {
    const row = await this.db
      .updateTable('environments')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('name', '=', environment)
      .returning('version')
      .executeTakeFirstOrThrow()
    return row.version
  }

  change(change: Change): void {
    this.event.changes.push(change)
  }

  async audit(input: AuditInput): Promise<AuditEntry> {
    const row = await this.db
      .insertInto('audit_log')
      .values({
        at: this.now,
        actor: this.actor.name,
        actor_token_id: this.actor.tokenId,
        action: input.action,
        environment: input.environment,
        resource_type: input.resourceType,
        resource_key: input.resourceKey,
        environment_version: input.environmentVersion,
        before: input.before === null ? null : JSON.stringify(input.before),
        after: input.after === null ? null : JSON.stringify(input.after),
        reason: input.reason,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const entry: AuditEntry = {
      id: Number(row.id),
      at: this.now,
      actor: this.actor.name,
      actorTokenId: this.actor.tokenId,
      ...input,
    }
    this.event.audit.push(entry)
    return entry
  }
}

/**
 * The `Store` over Kysely: one set of portable queries that the SQLite store
 * and the PostgreSQL store run. Writes are serialized in-process so that
 * listeners hear commits in commit order; a subclass serializes them across
 * processes (`lockWrites`) and carries commits to other processes
 * (`recordCommit`, `publish`).
 */
export class KyselyStore implements Store {
  private readonly listeners = new Set<(event: CommitEvent) => void>()
  private writes: Promise<unknown> = Promise.resolve()

  constructor(protected readonly db: Kysely<Database>) {}

  subscribe(listener: (event: CommitEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db)
  }

  async close(): Promise<void> {
    await this.writes
    this.listeners.clear()
    await this.db.destroy()
  }

  /** Runs first in every write transaction that reads before it writes. Default: nothing (one process). */
  protected async lockWrites(_trx: Transaction<Database>): Promise<void> {}

  /** Runs last in a write transaction whose event is not empty; returns the commit's sequence number, if any. */
  protected async recordCommit(
    _trx: Transaction<Database>,
    _event: CommitEvent,
  ): Promise<number | undefined> {
    return undefined
  }

  /** Delivers a committed event. Default: to this process's listeners at once. */
  protected async publish(event: CommitEvent, _sequence: number | undefined): Promise<void> {
    this.emit(event)
  }

  /** Tells every listener of this process. */
  protected emit(event: CommitEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  private write<T>(actor: Actor, fn: (tx: WriteContext) => Promise<T>): Promise<T>
  private write<T>(
    actor: Actor,
    options: { exclusive: boolean },
    fn: (tx: WriteContext) => Promise<T>,
  ): Promise<T>
  private write<T>(
    actor: Actor,
    ...args:
      | [(tx: WriteContext) => Promise<T>]
      | [{ exclusive: boolean }, (tx: WriteContext) => Promise<T>]
  ): Promise<T> {
    const [options, fn] = args.length === 1 ? [{ exclusive: true }, args[0]] : args
    const run = async () => {
      let event: CommitEvent | undefined
      let sequence: number | undefined
      const result = await this.db.transaction().execute(async (trx) => {
        if (options.exclusive) await this.lockWrites(trx)
        const context = new WriteContext(trx, actor)
        const value = await fn(context)
        if (context.event.changes.length > 0 || context.event.audit.length > 0) {
          event = context.event
          sequence = await this.recordCommit(trx, event)
        }
        return value
      })
      if (event) await this.publish(event, sequence)
      return result
    }
    const next = this.writes.then(run, run)
    this.writes = next.catch(() => undefined)
    return next
  }

  // Environments

  async listEnvironments(): Promise<Environment[]> {
    const rows = await this.db.selectFrom('environments').selectAll().orderBy('name').execute()
    return rows.map(toEnvironment)
  }

  async getEnvironment(name: string): Promise<Environment | undefined> {
    const row = await this.db
      .selectFrom('environments')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst()
    return row && toEnvironment(row)
  }

  createEnvironment(name: string, actor: Actor): Promise<Environment> {
    return this.write(actor, async (tx) => {
      if (await findEnvironment(tx.db, name)) {
        throw new StoreError('already_exists', `environment "${name}" already exists`)
      }
      await tx.db
        .insertInto('environments')
        .values({ name, version: 0, created_at: tx.now })
        .execute()
      const flags = await tx.db.selectFrom('flags').selectAll().execute()
      for (const row of flags) {
        await insertConfig(tx, name, row.key, 1, defaultFlagConfig(toFlag(row)))
      }
      const version = await tx.bump(name)
      tx.change({ type: 'environment', environment: name, version })
      await tx.audit({
        action: 'environment.create',
        environment: name,
        resourceType: 'environment',
        resourceKey: name,
        environmentVersion: version,
        before: null,
        after: { name },
        reason: null,
      })
      return { name, version, createdAt: tx.now }
    })
  }

  async loadEnvironment(name: string): Promise<EnvironmentState | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const env = await findEnvironment(trx, name)
      if (!env) return undefined
      const rows = await trx
        .selectFrom('flag_configs')
        .innerJoin('flags', 'flags.key', 'flag_configs.flag_key')
        .select(['flags.definition', 'flag_configs.config', 'flag_configs.version'])
        .where('flag_configs.environment', '=', name)
        .orderBy('flags.key')
        .execute()
      const segments = await trx
        .selectFrom('segments')
        .select(['key', 'segment'])
        .where('environment', '=', name)
        .orderBy('key')
        .execute()
      return {
        name,
        version: env.version,
        flags: rows.map((r) =>
          toSnapshotFlag(parseDefinition(r.definition), parseConfig(r.config), r.version),
        ),
        segments: Object.fromEntries(segments.map((s) => [s.key, parseSegment(s.segment)])),
      }
    })
  }

  // Flags

  async listFlags(): Promise<StoredFlag[]> {
    const rows = await this.db.selectFrom('flags').selectAll().orderBy('key').execute()
    return rows.map(toFlag)
  }

  async getFlag(key: string): Promise<StoredFlag | undefined> {
    const row = await this.db
      .selectFrom('flags')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst()
    return row && toFlag(row)
  }

  createFlag(definition: FlagDefinition, actor: Actor): Promise<StoredFlag> {
    return this.write(actor, async (tx) => {
      if (await findFlag(tx.db, definition.key)) {
        throw new StoreError('already_exists', `flag "${definition.key}" already exists`)
      }
      await tx.db
        .insertInto('flags')
        .values({
          key: definition.key,
          definition: JSON.stringify(definition),
          created_at: tx.now,
          updated_at: tx.now,
          created_by: actor.name,
          updated_by: actor.name,
        })
        .execute()
      const config = defaultFlagConfig(definition)
      for (const env of await environmentNames(tx.db)) {
        await insertConfig(tx, env, definition.key, 1, config)
        const version = await tx.bump(env)
        tx.change({
          type: 'flag',
          environment: env,
          version,
          key: definition.key,
          flag: toSnapshotFlag(definition, config, 1),
        })
      }
      await tx.audit({
        action: 'flag.create',
        environment: null,
        resourceType: 'flag',
        resourceKey: definition.key,
        environmentVersion: null,
        before: null,
        after: definition,
        reason: null,
      })
      return {
        ...definition,
        createdAt: tx.now,
        updatedAt: tx.now,
        createdBy: actor.name,
        updatedBy: actor.name,
      }
    })
  }

  updateFlag(
    key: string,
    definition: FlagDefinition,
    actor: Actor,
    validate?: (configs: StoredFlagConfig[]) => void,
  ): Promise<StoredFlag> {
    return this.write(actor, async (tx) => {
      const row = await findFlag(tx.db, key)
      if (!row) throw new StoreError('not_found', `flag "${key}" does not exist`)
      const current = toFlag(row)
      const configs = (
        await tx.db.selectFrom('flag_configs').selectAll().where('flag_key', '=', key).execute()
      ).map(toConfig)
      validate?.(configs)
      const before = definitionOf(current)
      if (isDeepStrictEqual(before, definition)) return current
      await tx.db
        .updateTable('flags')
        .set({ definition: JSON.stringify(definition), updated_at: tx.now, updated_by: actor.name })
        .where('key', '=', key)
        .execute()
      if (!isDeepStrictEqual(evaluatedFields(before), evaluatedFields(definition))) {
        for (const config of configs) {
          const version = config.version + 1
          await writeConfig(tx, config.environment, key, version, config.config)
          const envVersion = await tx.bump(config.environment)
          tx.change({
            type: 'flag',
            environment: config.environment,
            version: envVersion,
            key,
            flag: toSnapshotFlag(definition, config.config, version),
          })
        }
      }
      await tx.audit({
        action: 'flag.update',
        environment: null,
        resourceType: 'flag',
        resourceKey: key,
        environmentVersion: null,
        before,
        after: definition,
        reason: null,
      })
      return { ...definition, ...metadataOf(current), updatedAt: tx.now, updatedBy: actor.name }
    })
  }

  deleteFlag(key: string, actor: Actor): Promise<void> {
    return this.write(actor, async (tx) => {
      const row = await findFlag(tx.db, key)
      if (!row) throw new StoreError('not_found', `flag "${key}" does not exist`)
      const envs = await tx.db
        .selectFrom('flag_configs')
        .select('environment')
        .where('flag_key', '=', key)
        .orderBy('environment')
        .execute()
      await tx.db.deleteFrom('flag_config_versions').where('flag_key', '=', key).execute()
      await tx.db.deleteFrom('flag_configs').where('flag_key', '=', key).execute()
      await tx.db.deleteFrom('flags').where('key', '=', key).execute()
      for (const { environment } of envs) {
        const version = await tx.bump(environment)
        tx.change({ type: 'flag', environment, version, key, flag: null })
      }
      await tx.audit({
        action: 'flag.delete',
        environment: null,
        resourceType: 'flag',
        resourceKey: key,
        environmentVersion: null,
        before: definitionOf(toFlag(row)),
        after: null,
        reason: null,
      })
    })
  }

  // Flag configurations

  async listFlagConfigs(environment: string): Promise<StoredFlagConfig[]> {
    const rows = await this.db
      .selectFrom('flag_configs')
      .selectAll()
      .where('environment', '=', environment)
      .orderBy('flag_key')
      .execute()
    return rows.map(toConfig)
  }

  async getFlagConfig(
    environment: string,
    key: string,
    version?: number,
  ): Promise<StoredFlagConfig | undefined> {
    if (version === undefined) {
      const row = await this.db
        .selectFrom('flag_configs')
        .selectAll()
        .where('environment', '=', environment)
        .where('flag_key', '=', key)
        .executeTakeFirst()
      return row && toConfig(row)
    }
    const row = await this.db
      .selectFrom('flag_config_versions')
      .selectAll()
      .where('environment', '=', environment)
      .where('flag_key', '=', key)
      .where('version', '=', version)
      .executeTakeFirst()
    return row && toConfig({ ...row, updated_at: row.created_at, updated_by: row.created_by })
  }

  async listFlagConfigVersions(
    environment: string,
    key: string,
    page: { before?: number; limit: number },
  ): Promise<StoredFlagConfig[]> {
    let q = this.db
      .selectFrom('flag_config_versions')
      .selectAll()
      .where('environment', '=', environment)
      .where('flag_key', '=', key)
    if (page.before !== undefined) q = q.where('version', '<', page.before)
    const rows = await q.orderBy('version', 'desc').limit(page.limit).execute()
    return rows.map((row) =>
      toConfig({ ...row, updated_at: row.created_at, updated_by: row.created_by }),
    )
  }

  updateFlagConfig(environment: string, key: string, change: ConfigChange): Promise<ConfigUpdate> {
    return this.write(change.actor, (tx) => changeConfig(tx, environment, key, change))
  }

  // Segments

  async listSegments(environment: string): Promise<StoredSegment[]> {
    const rows = await this.db
      .selectFrom('segments')
      .selectAll()
      .where('environment', '=', environment)
      .orderBy('key')
      .execute()
    return rows.map(toSegment)
  }

  async getSegment(environment: string, key: string): Promise<StoredSegment | undefined> {
    const row = await this.db
      .selectFrom('segments')
      .selectAll()
      .where('environment', '=', environment)
      .where('key', '=', key)
      .executeTakeFirst()
    return row && toSegment(row)
  }

  putSegment(
    environment: string,
    key: string,
    segment: Segment,
    actor: Actor,
  ): Promise<{ segment: StoredSegment; created: boolean; changed: boolean }> {
    return this.write(actor, async (tx) => {
      if (!(await findEnvironment(tx.db, environment))) {
        throw new StoreError('not_found', `environment "${environment}" does not exist`)
      }
      const row = await tx.db
        .selectFrom('segments')
        .selectAll()
        .where('environment', '=', environment)
        .where('key', '=', key)
        .executeTakeFirst()
      const current = row && toSegment(row)
      if (current && isDeepStrictEqual(current.segment, segment)) {
        return { segment: current, created: false, changed: false }
      }
      const values = {
        segment: JSON.stringify(segment),
        updated_at: tx.now,
        updated_by: actor.name,
      }
      if (current) {
        await tx.db
          .updateTable('segments')
          .set(values)
          .where('environment', '=', environment)
          .where('key', '=', key)
          .execute()
      } else {
        await tx.db
          .insertInto('segments')
          .values({ environment, key, ...values })
          .execute()
      }
      const version = await tx.bump(environment)
      tx.change({ type: 'segment', environment, version, key, segment })
      await tx.audit({
        action: current ? 'segment.update' : 'segment.create',
        environment,
        resourceType: 'segment',
        resourceKey: key,
        environmentVersion: version,
        before: current?.segment ?? null,
        after: segment,
        reason: null,
      })
      return {
        segment: { environment, key, segment, updatedAt: tx.now, updatedBy: actor.name },
        created: !current,
        changed: true,
      }
    })
  }

  deleteSegment(environment: string, key: string, actor: Actor): Promise<void> {
    return this.write(actor, async (tx) => {
      const row = await tx.db
        .selectFrom('segments')
        .selectAll()
        .where('environment', '=', environment)
        .where('key', '=', key)
        .executeTakeFirst()
      if (!row) {
        throw new StoreError('not_found', `segment "${key}" does not exist in ${environment}`)
      }
      const configs = await tx.db
        .selectFrom('flag_configs')
        .select(['flag_key', 'config'])
        .where('environment', '=', environment)
        .execute()
      const users = configs
        .filter((c) => segmentKeysOf(parseConfig(c.config)).has(key))
        .map((c) => c.flag_key)
      if (users.length > 0) {
        throw new StoreError(
          'conflict',
          `segment "${key}" is used by ${users.map((u) => `"${u}"`).join(', ')} in ${environment}`,
        )
      }
      await tx.db
        .deleteFrom('segments')
        .where('environment', '=', environment)
        .where('key', '=', key)
        .execute()
      const version = await tx.bump(environment)
      tx.change({ type: 'segment', environment, version, key, segment: null })
      await tx.audit({
        action: 'segment.delete',
        environment,
        resourceType: 'segment',
        resourceKey: key,
        environmentVersion: version,
        before: parseSegment(row.segment),
        after: null,
        reason: null,
      })
    })
  }

  // Audit

  async queryAudit(query: AuditQuery): Promise<AuditPage> {
    let q = this.db.selectFrom('audit_log').selectAll()
    if (query.flag !== undefined) {
      q = q.where('resource_type', '=', 'flag').where('resource_key', '=', query.flag)
    }
    const { environment } = query
    if (environment !== undefined) {
      q = q.where((eb) =>
        eb.or([eb('environment', '=', environment), eb('environment', 'is', null)]),
      )
    }
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor)
    if (query.action !== undefined) q = q.where('action', '=', query.action)
    if (query.since !== undefined) q = q.where('at', '>=', query.since)
    if (query.until !== undefined) q = q.where('at', '<', query.until)
    if (query.before !== undefined) q = q.where('id', '<', query.before)
    if (query.after !== undefined) q = q.where('id', '>', query.after)
    const rows = await q
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute()
    const entries = rows.slice(0, query.limit).map(toAuditEntry)
    const last = entries.at(-1)
    return { entries, nextCursor: rows.length > query.limit && last ? last.id : null }
  }

  // Tokens

  createToken(token: NewToken, actor: Actor): Promise<TokenRecord> {
    return this.write(actor, async (tx) => {
      if (token.environment !== null && !(await findEnvironment(tx.db, token.environment))) {
        throw new StoreError('not_found', `environment "${token.environment}" does not exist`)
      }
      const record: TokenRecord = {
        id: `tok_${randomBytes(12).toString('hex')}`,
        name: token.name,
        scope: token.scope,
        environment: token.environment,
        hint: token.hint,
        createdAt: tx.now,
        createdBy: actor.name,
        revokedAt: null,
      }
      await tx.db
        .insertInto('tokens')
        .values({
          id: record.id,
          name: record.name,
          scope: record.scope,
          environment: record.environment,
          hash: token.hash,
          hint: record.hint,
          created_at: record.createdAt,
          created_by: record.createdBy,
          revoked_at: null,
          revoked_by: null,
        })
        .execute()
      await tx.audit({
        action: 'token.create',
        environment: record.environment,
        resourceType: 'token',
        resourceKey: record.id,
        environmentVersion: null,
        before: null,
        after: record,
        reason: null,
      })
      return record
    })
  }

  async findTokenByHash(hash: string): Promise<StoredToken | undefined> {
    const row = await this.db
      .selectFrom('tokens')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst()
    return row && { ...toToken(row), hash: row.hash }
  }

  async listTokens(): Promise<TokenRecord[]> {
    const rows = await this.db
      .selectFrom('tokens')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toToken)
  }

  revokeToken(id: string, actor: Actor): Promise<TokenRecord> {
    return this.write(actor, async (tx) => {
      const row = await tx.db
        .selectFrom('tokens')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      if (!row) throw new StoreError('not_found', `token "${id}" does not exist`)
      const before = toToken(row)
      if (before.revokedAt !== null) return before
      if (before.scope === 'admin') {
        const admins = await tx.db
          .selectFrom('tokens')
          .select('id')
          .where('scope', '=', 'admin')
          .where('revoked_at', 'is', null)
          .execute()
        if (admins.length <= 1) {
          throw new StoreError('conflict', 'the last active admin token cannot be revoked')
        }
      }
      await tx.db
        .updateTable('tokens')
        .set({ revoked_at: tx.now, revoked_by: actor.name })
        .where('id', '=', id)
        .execute()
      const after = { ...before, revokedAt: tx.now }
      await tx.audit({
        action: 'token.revoke',
        environment: before.environment,
        resourceType: 'token',
        resourceKey: id,
        environmentVersion: null,
        before,
        after,
        reason: null,
      })
      return after
    })
  }

  // Webhooks

  createWebhookEndpoint(
    endpoint: NewWebhookEndpoint,
    actor: Actor,
  ): Promise<StoredWebhookEndpoint> {
    return this.write(actor, async (tx) => {
      const row: Selectable<Database['webhook_endpoints']> = {
        id: `wh_${randomBytes(12).toString('hex')}`,
        url: endpoint.url,
        description: endpoint.description,
        events: JSON.stringify(endpoint.events),
        environments: JSON.stringify(endpoint.environments),
        secret: endpoint.secret,
        enabled: endpoint.enabled ? 1 : 0,
        created_at: tx.now,
        created_by: actor.name,
        updated_at: tx.now,
      }
      await tx.db.insertInto('webhook_endpoints').values(row).execute()
      const stored = toWebhookEndpoint(row)
      await tx.audit({
        action: 'webhook.create',
        environment: null,
        resourceType: 'webhook',
        resourceKey: row.id,
        environmentVersion: null,
        before: null,
        after: withoutSecret(stored),
        reason: null,
      })
      return stored
    })
  }

  async listWebhookEndpoints(): Promise<StoredWebhookEndpoint[]> {
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toWebhookEndpoint)
  }

  async getWebhookEndpoint(id: string): Promise<StoredWebhookEndpoint | undefined> {
    const row = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row && toWebhookEndpoint(row)
  }

  updateWebhookEndpoint(
    id: string,
    patch: WebhookEndpointPatch,
    actor: Actor,
  ): Promise<StoredWebhookEndpoint> {
    return this.write(actor, async (tx) => {
      const row = await tx.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      if (!row) throw new StoreError('not_found', `webhook "${id}" does not exist`)
      const before = toWebhookEndpoint(row)
      const next: Selectable<Database['webhook_endpoints']> = {
        ...row,
        ...(patch.url === undefined ? {} : { url: patch.url }),
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(patch.events === undefined ? {} : { events: JSON.stringify(patch.events) }),
        ...(patch.environments === undefined
          ? {}
          : { environments: JSON.stringify(patch.environments) }),
        ...(patch.secret === undefined ? {} : { secret: patch.secret }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
      }
      if (isDeepStrictEqual(next, row)) return before
      next.updated_at = tx.now
      await tx.db.updateTable('webhook_endpoints').set(next).where('id', '=', id).execute()
      const after = toWebhookEndpoint(next)
      await tx.audit({
        action: 'webhook.update',
        environment: null,
        resourceType: 'webhook',
        resourceKey: id,
        environmentVersion: null,
        before: withoutSecret(before),
        after: withoutSecret(after),
        reason: patch.secret === undefined ? null : 'secret rotated',
      })
      return after
    })
  }

  deleteWebhookEndpoint(id: string, actor: Actor): Promise<void> {
    return this.write(actor, async (tx) => {
      const row = await tx.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      if (!row) throw new StoreError('not_found', `webhook "${id}" does not exist`)
      const deliveries = tx.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('endpoint_id', '=', id)
      await tx.db.deleteFrom('webhook_attempts').where('delivery_id', 'in', deliveries).execute()
      await tx.db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute()
      await tx.db.deleteFrom('webhook_endpoints').where('id', '=', id).execute()
      await tx.audit({
        action: 'webhook.delete',
        environment: null,
        resourceType: 'webhook',
        resourceKey: id,
        environmentVersion: null,
        before: withoutSecret(toWebhookEndpoint(row)),
        after: null,
        reason: null,
      })
    })
  }

  async enqueueWebhookDeliveries(input: WebhookEventInput): Promise<WebhookDelivery[]> {
    if (input.endpointIds.length === 0) return []
    return this.db.transaction().execute(async (trx) => {
      const created: WebhookDelivery[] = []
      for (const endpointId of input.endpointIds) {
        const row: Selectable<Database['webhook_deliveries']> = {
          id: `whd_${randomBytes(12).toString('hex')}`,
          endpoint_id: endpointId,
          event_id: input.eventId,
          event_type: input.eventType,
          environment: input.environment,
          payload: input.payload,
          state: 'pending',
          attempts: 0,
          next_attempt_at: input.now,
          lease_owner: null,
          lease_until: null,
          created_at: input.now,
          updated_at: input.now,
        }
        const inserted = await trx
          .insertInto('webhook_deliveries')
          .values(row)
          .onConflict((oc) => oc.columns(['event_id', 'endpoint_id']).doNothing())
          .returning('id')
          .executeTakeFirst()
        if (inserted) created.push(toWebhookDelivery(row, []))
      }
      return created
    })
  }

  async claimWebhookDeliveries(claim: WebhookClaim): Promise<ClaimedWebhookDelivery[]> {
    return this.db.transaction().execute(async (trx) => {
      let candidates = trx
        .selectFrom('webhook_deliveries')
        .innerJoin('webhook_endpoints', 'webhook_endpoints.id', 'webhook_deliveries.endpoint_id')
        .selectAll('webhook_deliveries')
        .select(['webhook_endpoints.url', 'webhook_endpoints.secret'])
        .where('webhook_deliveries.state', '=', 'pending')
        .where('webhook_deliveries.next_attempt_at', '<=', claim.now)
        .where((eb) =>
          eb.or([
            eb('webhook_deliveries.lease_until', 'is', null),
            eb('webhook_deliveries.lease_until', '<=', claim.now),
          ]),
        )
      if (claim.deliveryId !== undefined) {
        candidates = candidates.where('webhook_deliveries.id', '=', claim.deliveryId)
      }
      // Read more candidates than wanted: dispatchers polling together race for
      // the oldest ones, and the loser should take the next ones, not none.
      const rows = await candidates
        .orderBy('webhook_deliveries.next_attempt_at')
        .orderBy('webhook_deliveries.id')
        .limit(claim.limit * 4)
        .execute()
      const claimed: ClaimedWebhookDelivery[] = []
      for (const { url, secret, ...row } of rows) {
        if (claimed.length >= claim.limit) break
        // Compare-and-set on the lease, so that of two dispatchers reading the
        // same candidate (PostgreSQL replicas) exactly one takes it.
        const result = await trx
          .updateTable('webhook_deliveries')
          .set({ lease_owner: claim.owner, lease_until: claim.leaseUntil })
          .where('id', '=', row.id)
          .where('state', '=', 'pending')
          .where('attempts', '=', row.attempts)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', claim.now)]))
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) !== 1) continue
        const log = await attemptsOf(trx, row.id)
        claimed.push({
          delivery: toWebhookDelivery(row, log),
          payload: row.payload,
          url,
          secret,
        })
      }
      return claimed
    })
  }

  async recordWebhookAttempt(result: WebhookAttemptResult): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const { attempt } = result
      const updated = await trx
        .updateTable('webhook_deliveries')
        .set({
          state: result.state,
          attempts: attempt.attempt,
          next_attempt_at: result.nextAttemptAt,
          lease_owner: null,
          lease_until: null,
          updated_at: attempt.at,
        })
        .where('id', '=', result.deliveryId)
        .where('lease_owner', '=', result.owner)
        .where('attempts', '=', attempt.attempt - 1)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) return false
      await trx
        .insertInto('webhook_attempts')
        .values({
          delivery_id: result.deliveryId,
          attempt: attempt.attempt,
          at: attempt.at,
          status_code: attempt.statusCode,
          error: attempt.error,
          duration_ms: Math.round(attempt.durationMs),
        })
        .execute()
      return true
    })
  }

  async getWebhookDelivery(id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row && toWebhookDelivery(row, await attemptsOf(this.db, id))
  }

  async listWebhookDeliveries(query: WebhookDeliveryQuery): Promise<WebhookDelivery[]> {
    let q = this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('endpoint_id', '=', query.endpointId)
    if (query.state !== undefined) q = q.where('state', '=', query.state)
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .execute()
    if (rows.length === 0) return []
    const attempts = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where(
        'delivery_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('attempt')
      .execute()
    return rows.map((row) =>
      toWebhookDelivery(
        row,
        attempts.filter((a) => a.delivery_id === row.id).map(toWebhookAttempt),
      ),
    )
  }

  async pruneWebhookDeliveries(before: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const done = trx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('state', 'in', ['succeeded', 'failed'])
        .where('updated_at', '<', before)
      await trx.deleteFrom('webhook_attempts').where('delivery_id', 'in', done).execute()
      const result = await trx
        .deleteFrom('webhook_deliveries')
        .where('state', 'in', ['succeeded', 'failed'])
        .where('updated_at', '<', before)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    })
  }

  // Signals

  async recordSignals(input: SignalsInput): Promise<{ duplicate: boolean }> {
    const { duplicates } = await this.recordSignalBatches([input])
    return { duplicate: duplicates > 0 }
  }

  recordSignalBatches(
    inputs: readonly SignalsInput[],
  ): Promise<{ recorded: number; duplicates: number }> {
    // Signals only add to counters (idempotent by batch id), so they need no writer lock.
    return this.write(SIGNALS_ACTOR, NO_LOCK, async (tx) => {
      const { rows, batches } = signalRows(inputs)
      const recorded = new Set<string>()
      for (const chunk of chunks(batches, 1000)) {
        const inserted = await tx.db
          .insertInto('signal_batches')
          .values(chunk)
          .onConflict((oc) => oc.columns(['environment', 'id']).doNothing())
          .returning(['environment', 'id'])
          .execute()
        for (const row of inserted) recorded.add(`${row.environment}\u0000${row.id}`)
      }
      const kept = rows.filter(
        (r) => r.batch_id === null || recorded.has(`${r.environment}\u0000${r.batch_id}`),
      )
      for (const chunk of chunks(sumByBucket(kept), 500)) {
        await tx.db
          .insertInto('signal_buckets')
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(['environment', 'flag_key', 'variant', 'bucket_start']).doUpdateSet((eb) => {
              const add = (column: keyof SignalBucketRow & string) =>
                eb(
                  `signal_buckets.${column}` as 'signal_buckets.exposures',
                  '+',
                  eb.ref(`excluded.${column}` as 'excluded.exposures'),
                )
              return {
                ...Object.fromEntries(SUMMED_COLUMNS.map((column) => [column, add(column)])),
                latency_max_ms: sql<number>`case when ${sql.ref('excluded.latency_max_ms')} > ${sql.ref('signal_buckets.latency_max_ms')} then ${sql.ref('excluded.latency_max_ms')} else ${sql.ref('signal_buckets.latency_max_ms')} end`,
              }
            }),
          )
          .execute()
      }
      const withoutId = inputs.filter((i) => i.batch.id === undefined).length
      return {
        recorded: recorded.size + withoutId,
        duplicates: inputs.length - withoutId - recorded.size,
      }
    })
  }

  async querySignals(query: {
    environment: string
    flagKey?: string
    since?: string
    until?: string
  }): Promise<SignalBucket[]> {
    let q = this.db
      .selectFrom('signal_buckets')
      .selectAll()
      .where('environment', '=', query.environment)
    if (query.flagKey !== undefined) q = q.where('flag_key', '=', query.flagKey)
    if (query.since !== undefined) q = q.where('bucket_start', '>=', query.since)
    if (query.until !== undefined) q = q.where('bucket_start', '<', query.until)
    const rows = await q.orderBy('bucket_start').orderBy('flag_key').orderBy('variant').execute()
    return rows.map((r) => ({
      environment: r.environment,
      flagKey: r.flag_key,
      variant: r.variant,
      bucketStart: r.bucket_start,
      exposures: Number(r.exposures),
      successes: Number(r.successes),
      errors: Number(r.errors),
      errorUnits: Number(r.error_units),
      latencyCount: Number(r.latency_count),
      latencySumMs: Number(r.latency_sum_ms),
      latencyMaxMs: Number(r.latency_max_ms),
      latencyBuckets: LATENCY_COLUMNS.map((column) => Number(r[column])),
    }))
  }

  pruneSignalBatchIds(before: string): Promise<number> {
    return this.write(SIGNALS_ACTOR, NO_LOCK, async (tx) => {
      const result = await tx.db
        .deleteFrom('signal_batches')
        .where('received_at', '<', before)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    })
  }

  // Rollouts

  createRollout(input: NewRollout): Promise<RolloutWithDecisions> {
    return this.write(input.actor, async (tx) => {
      const { record } = input
      const active = await tx.db
        .selectFrom('rollouts')
        .select(['id', 'status'])
        .where('environment', '=', record.environment)
        .where('flag_key', '=', record.flag)
        .where('status', 'in', ACTIVE_STATUSES)
        .executeTakeFirst()
      if (active) {
        throw new StoreError(
          'conflict',
          `flag "${record.flag}" already has a ${active.status} rollout (${active.id}) in ${record.environment}`,
        )
      }
      await tx.db
        .insertInto('rollouts')
        .values({
          id: record.id,
          environment: record.environment,
          flag_key: record.flag,
          status: record.status,
          stage_index: record.stageIndex,
          percent: record.percent,
          plan: JSON.stringify(record.plan),
          monitor: JSON.stringify(record.monitor),
          started_at: record.startedAt,
          stage_started_at: record.stageStartedAt,
          ended_at: record.endedAt ?? null,
          state_version: 1,
          created_by: record.createdBy,
          updated_at: tx.now,
        })
        .execute()
      await rolloutChange(tx, record, 'rollout.start', input.decision, input.config, null)
      await insertDecision(tx, record.id, input.decision)
      return withDecisions(tx.db, { ...record, stateVersion: 1 })
    })
  }

  transitionRollout(id: string, transition: RolloutTransition): Promise<RolloutWithDecisions> {
    return this.write(transition.actor, async (tx) => {
      const before = await lockRollout(tx.db, id, transition.expectedStateVersion)
      const { next } = transition
      await tx.db
        .updateTable('rollouts')
        .set({
          status: next.status,
          stage_index: next.stageIndex,
          percent: next.percent,
          stage_started_at: next.stageStartedAt,
          ended_at: next.endedAt ?? null,
          monitor: JSON.stringify(next.monitor),
          state_version: before.stateVersion + 1,
          updated_at: tx.now,
        })
        .where('id', '=', id)
        .where('state_version', '=', before.stateVersion)
        .execute()
      const after: RolloutRecord = {
        ...before,
        ...next,
        ...(next.endedAt === undefined ? {} : { endedAt: next.endedAt }),
        stateVersion: before.stateVersion + 1,
      }
      await rolloutChange(
        tx,
        after,
        transition.action,
        transition.decision,
        transition.config,
        before,
      )
      await insertDecision(tx, id, transition.decision)
      return withDecisions(tx.db, after)
    })
  }

  observeRollout(
    id: string,
    observation: RolloutObservation,
  ): Promise<{ duplicate: boolean; rollout: RolloutRecord }> {
    return this.write({ name: 'signals', tokenId: null }, async (tx) => {
      const before = await lockRollout(tx.db, id, observation.expectedStateVersion)
      if (observation.batchId !== undefined) {
        const inserted = await tx.db
          .insertInto('rollout_batches')
          .values({ rollout_id: id, batch_id: observation.batchId })
          .onConflict((oc) => oc.columns(['rollout_id', 'batch_id']).doNothing())
          .returning('batch_id')
          .executeTakeFirst()
        if (!inserted) return { duplicate: true, rollout: before }
      }
      const { stageIndex } = observation
      const firstErrorUnits: Record<string, number> = {}
      for (const [variant, hashes] of Object.entries(observation.errorUnitHashes)) {
        const unique = [...new Set(hashes)]
        let fresh = 0
        // Chunks keep each statement's parameters well under every database's limit.
        for (let i = 0; i < unique.length; i += 200) {
          const chunk = unique.slice(i, i + 200)
          const inserted = await tx.db
            .insertInto('rollout_error_units')
            .values(
              chunk.map((unit_hash) => ({
                rollout_id: id,
                stage_index: stageIndex,
                variant,
                unit_hash,
              })),
            )
            .onConflict((oc) =>
              oc.columns(['rollout_id', 'stage_index', 'variant', 'unit_hash']).doNothing(),
            )
            .returning('unit_hash')
            .execute()
          fresh += inserted.length
        }
        firstErrorUnits[variant] = fresh
      }
      const { monitor, signals } = observation.apply(firstErrorUnits)
      for (const [variant, delta] of Object.entries(signals)) {
        const row = await tx.db
          .selectFrom('rollout_signals')
          .selectAll()
          .where('rollout_id', '=', id)
          .where('stage_index', '=', stageIndex)
          .where('variant', '=', variant)
          .executeTakeFirst()
        const sum = addVariantSignals(row ? toVariantSignals(row) : undefined, delta)
        const values = {
          batches: sum.batches,
          exposures: sum.exposures,
          successes: sum.successes,
          errors: sum.errors,
          error_units: sum.errorUnits,
          latency_count: sum.latencyCount,
          latency_sum_ms: sum.latencySumMs,
          latency_max_ms: sum.latencyMaxMs,
          latency_buckets: JSON.stringify(sum.latencyBuckets),
        }
        if (row) {
          await tx.db
            .updateTable('rollout_signals')
            .set(values)
            .where('rollout_id', '=', id)
            .where('stage_index', '=', stageIndex)
            .where('variant', '=', variant)
            .execute()
        } else {
          await tx.db
            .insertInto('rollout_signals')
            .values({ rollout_id: id, stage_index: stageIndex, variant, ...values })
            .execute()
        }
      }
      await tx.db
        .updateTable('rollouts')
        .set({
          monitor: JSON.stringify(monitor),
          state_version: before.stateVersion + 1,
          updated_at: tx.now,
        })
        .where('id', '=', id)
        .where('state_version', '=', before.stateVersion)
        .execute()
      return {
        duplicate: false,
        rollout: { ...before, monitor, stateVersion: before.stateVersion + 1 },
      }
    })
  }

  async getRollout(id: string): Promise<RolloutWithDecisions | undefined> {
    const row = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row && withDecisions(this.db, toRollout(row))
  }

  async listRollouts(
    environment: string,
    flag: string,
    limit = 100,
  ): Promise<RolloutWithDecisions[]> {
    const rows = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('environment', '=', environment)
      .where('flag_key', '=', flag)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return Promise.all(rows.map((row) => withDecisions(this.db, toRollout(row))))
  }

  async listActiveRollouts(): Promise<RolloutRecord[]> {
    const rows = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('status', 'in', ACTIVE_STATUSES)
      .orderBy('started_at')
      .orderBy('id')
      .execute()
    return rows.map(toRollout)
  }

  async listEnvironmentRollouts(
    environment: string,
    since: string,
  ): Promise<RolloutWithDecisions[]> {
    const rows = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('environment', '=', environment)
      .where((eb) =>
        eb.or([
          eb('started_at', '>=', since),
          eb('ended_at', '>=', since),
          eb('status', 'in', ACTIVE_STATUSES),
        ]),
      )
      .orderBy('started_at')
      .orderBy('id')
      .execute()
    return Promise.all(rows.map((row) => withDecisions(this.db, toRollout(row))))
  }

  async rolloutSignals(id: string): Promise<RolloutStageSignals[]> {
    const rows = await this.db
      .selectFrom('rollout_signals')
      .selectAll()
      .where('rollout_id', '=', id)
      .orderBy('stage_index')
      .orderBy('variant')
      .execute()
    const stages = new Map<number, RolloutStageSignals>()
    for (const row of rows) {
      const stageIndex = Number(row.stage_index)
      let stage = stages.get(stageIndex)
      if (!stage) {
        stage = { stageIndex, variants: {} }
        stages.set(stageIndex, stage)
      }
      stage.variants[row.variant] = toVariantSignals(row)
    }
    return [...stages.values()]
  }
}

// The latency histogram must line up with core's buckets, plus the open one.
if (LATENCY_COLUMNS.length !== LATENCY_BUCKETS_MS.length + 1) {
  throw new Error('signal_buckets latency columns do not match LATENCY_BUCKETS_MS')
}

/** A configuration change inside a write transaction: checks, versions, pushes and audits it. */
async function changeConfig(
  tx: WriteContext,
  environment: string,
  key: string,
  change: ConfigChange,
): Promise<ConfigUpdate> {
  const env = await findEnvironment(tx.db, environment)
  if (!env) throw new StoreError('not_found', `environment "${environment}" does not exist`)
  const flagRow = await findFlag(tx.db, key)
  if (!flagRow) throw new StoreError('not_found', `flag "${key}" does not exist`)
  const currentRow = await tx.db
    .selectFrom('flag_configs')
    .selectAll()
    .where('environment', '=', environment)
    .where('flag_key', '=', key)
    .executeTakeFirstOrThrow()
  const current = toConfig(currentRow)
  if (change.expectedVersion !== undefined && change.expectedVersion !== current.version) {
    throw new StoreError(
      'stale_version',
      `configuration of "${key}" in ${environment} is at version ${current.version}, not ${change.expectedVersion}`,
    )
  }
  const segmentKeys = new Set(
    (
      await tx.db
        .selectFrom('segments')
        .select('key')
        .where('environment', '=', environment)
        .execute()
    ).map((s) => s.key),
  )
  const flag = toFlag(flagRow)
  // A JSON round trip drops `undefined` fields, so equal configurations compare equal.
  const next = FlagConfigSchema.parse(
    JSON.parse(JSON.stringify(change.apply(current, { flag, segmentKeys }))),
  )
  if (isDeepStrictEqual(next, current.config)) {
    return { config: current, changed: false, environmentVersion: env.version }
  }
  const version = current.version + 1
  await writeConfig(tx, environment, key, version, next)
  const environmentVersion = await tx.bump(environment)
  tx.change({
    type: 'flag',
    environment,
    version: environmentVersion,
    key,
    flag: toSnapshotFlag(flag, next, version),
  })
  await tx.audit({
    action: change.action,
    environment,
    resourceType: 'flag',
    resourceKey: key,
    environmentVersion,
    before: current.config,
    after: next,
    reason: change.reason ?? null,
  })
  return {
    config: {
      environment,
      flagKey: key,
      version,
      config: next,
      updatedAt: tx.now,
      updatedBy: change.actor.name,
    },
    changed: true,
    environmentVersion,
  }
}

const ACTIVE_STATUSES: RolloutStatus[] = ['running', 'paused']

/** Reads a rollout inside a write, refusing when it is missing or not at the expected version. */
async function lockRollout(
  db: Transaction<Database>,
  id: string,
  expectedStateVersion: number,
): Promise<RolloutRecord> {
  const row = await db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new StoreError('not_found', `rollout "${id}" does not exist`)
  if (row.state_version !== expectedStateVersion) {
    throw new StoreError(
      'stale_version',
      `rollout "${id}" is at state version ${row.state_version}, not ${expectedStateVersion}`,
    )
  }
  return toRollout(row)
}

/**
 * Audits a rollout's move on its flag: through the configuration change when
 * there is one (its audit entry carries the rollout action), else on its own.
 */
async function rolloutChange(
  tx: WriteContext,
  after: Omit<RolloutRecord, 'stateVersion'>,
  action: RolloutAction,
  decision: RolloutDecision,
  apply: ConfigChange['apply'] | undefined,
  before: RolloutRecord | null,
): Promise<void> {
  if (apply) {
    const update = await changeConfig(tx, after.environment, after.flag, {
      action,
      actor: tx.actor,
      reason: decision.reason,
      apply,
    })
    if (update.changed) return
  }
  await tx.audit({
    action,
    environment: after.environment,
    resourceType: 'flag',
    resourceKey: after.flag,
    environmentVersion: null,
    before: before && rolloutSummary(before),
    after: rolloutSummary(after),
    reason: decision.reason,
  })
}

function rolloutSummary(r: Omit<RolloutRecord, 'stateVersion'>) {
  return { rolloutId: r.id, status: r.status, stageIndex: r.stageIndex, percent: r.percent }
}

async function insertDecision(
  tx: WriteContext,
  rolloutId: string,
  decision: RolloutDecision,
): Promise<void> {
  await tx.db
    .insertInto('rollout_decisions')
    .values({
      rollout_id: rolloutId,
      at: decision.at,
      action: decision.action,
      reason: decision.reason,
      by: decision.by ?? tx.actor.name,
      stage_index: decision.stageIndex ?? 0,
      evidence: decision.evidence === undefined ? null : JSON.stringify(decision.evidence),
    })
    .execute()
}

async function withDecisions(db: Db, record: RolloutRecord): Promise<RolloutWithDecisions> {
  const rows = await db
    .selectFrom('rollout_decisions')
    .selectAll()
    .where('rollout_id', '=', record.id)
    .orderBy('id')
    .execute()
  return {
    ...record,
    decisions: rows.map((r) =>
      RolloutDecisionSchema.parse({
        at: r.at,
        action: r.action,
        reason: r.reason,
        by: r.by,
        stageIndex: Number(r.stage_index),
        ...(r.evidence === null ? {} : { evidence: JSON.parse(r.evidence) }),
      }),
    ),
  }
}

function toRollout(row: Selectable<Database['rollouts']>): RolloutRecord {
  return {
    id: row.id,
    environment: row.environment,
    flag: row.flag_key,
    status: RolloutStatusSchema.parse(row.status),
    stageIndex: Number(row.stage_index),
    percent: Number(row.percent),
    plan: RolloutPlanSchema.parse(JSON.parse(row.plan)),
    startedAt: row.started_at,
    stageStartedAt: row.stage_started_at,
    ...(row.ended_at === null ? {} : { endedAt: row.ended_at }),
    stateVersion: Number(row.state_version),
    monitor: JSON.parse(row.monitor),
    createdBy: row.created_by,
  }
}

function toVariantSignals(row: Selectable<Database['rollout_signals']>): RolloutVariantSignals {
  return {
    batches: Number(row.batches),
    exposures: Number(row.exposures),
    successes: Number(row.successes),
    errors: Number(row.errors),
    errorUnits: Number(row.error_units),
    latencyCount: Number(row.latency_count),
    latencySumMs: Number(row.latency_sum_ms),
    latencyMaxMs: Number(row.latency_max_ms),
    latencyBuckets: (JSON.parse(row.latency_buckets) as unknown[]).map(Number),
  }
}

function addVariantSignals(
  a: RolloutVariantSignals | undefined,
  b: RolloutVariantSignals,
): RolloutVariantSignals {
  if (!a) return b
  return {
    batches: a.batches + b.batches,
    exposures: a.exposures + b.exposures,
    successes: a.successes + b.successes,
    errors: a.errors + b.errors,
    errorUnits: a.errorUnits + b.errorUnits,
    latencyCount: a.latencyCount + b.latencyCount,
    latencySumMs: a.latencySumMs + b.latencySumMs,
    latencyMaxMs: Math.max(a.latencyMaxMs, b.latencyMaxMs),
    latencyBuckets: a.latencyBuckets.map((n, i) => n + (b.latencyBuckets[i] ?? 0)),
  }
}

type Db = Kysely<Database> | Transaction<Database>

const NO_LOCK = { exclusive: false }
const SIGNALS_ACTOR: Actor = { name: 'signals', tokenId: null }

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = []
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size))
  return result
}

function findEnvironment(db: Db, name: string) {
  return db.selectFrom('environments').selectAll().where('name', '=', name).executeTakeFirst()
}

function findFlag(db: Db, key: string) {
  return db.selectFrom('flags').selectAll().where('key', '=', key).executeTakeFirst()
}

async function environmentNames(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('environments').select('name').orderBy('name').execute()
  return rows.map((r) => r.name)
}

async function insertConfig(
  tx: WriteContext,
  environment: string,
  key: string,
  version: number,
  config: FlagConfig,
): Promise<void> {
  const json = JSON.stringify(config)
  await tx.db
    .insertInto('flag_configs')
    .values({
      environment,
      flag_key: key,
      version,
      config: json,
      updated_at: tx.now,
      updated_by: tx.actor.name,
    })
    .execute()
  await insertConfigVersion(tx, environment, key, version, json)
}

async function writeConfig(
  tx: WriteContext,
  environment: string,
  key: string,
  version: number,
  config: FlagConfig,
): Promise<void> {
  const json = JSON.stringify(config)
  await tx.db
    .updateTable('flag_configs')
    .set({ version, config: json, updated_at: tx.now, updated_by: tx.actor.name })
    .where('environment', '=', environment)
    .where('flag_key', '=', key)
    .execute()
  await insertConfigVersion(tx, environment, key, version, json)
}

async function insertConfigVersion(
  tx: WriteContext,
  environment: string,
  key: string,
  version: number,
  json: string,
): Promise<void> {
  await tx.db
    .insertInto('flag_config_versions')
    .values({
      environment,
      flag_key: key,
      version,
      config: json,
      created_at: tx.now,
      created_by: tx.actor.name,
    })
    .execute()
}

// Rows are parsed with the same schemas as API input, so a damaged row fails loudly.

function parseDefinition(json: string): FlagDefinition {
  return FlagDefinitionSchema.parse(JSON.parse(json))
}

function parseConfig(json: string): FlagConfig {
  return FlagConfigSchema.parse(JSON.parse(json))
}

function parseSegment(json: string): Segment {
  return SegmentSchema.parse(JSON.parse(json))
}

function toEnvironment(row: Selectable<Database['environments']>): Environment {
  return { name: row.name, version: row.version, createdAt: row.created_at }
}

function toFlag(row: Selectable<Database['flags']>): StoredFlag {
  return {
    ...parseDefinition(row.definition),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  }
}

function definitionOf(flag: StoredFlag): FlagDefinition {
  const { createdAt: _a, updatedAt: _b, createdBy: _c, updatedBy: _d, ...definition } = flag
  return definition
}

function metadataOf(flag: StoredFlag) {
  return { createdAt: flag.createdAt, createdBy: flag.createdBy }
}

/** The definition fields that reach snapshots: changing them changes what SDKs evaluate. */
function evaluatedFields(definition: FlagDefinition) {
  const { kind, variants, offVariant, clientSide } = definition
  return { kind, variants, offVariant, clientSide }
}

function toConfig(row: Selectable<Database['flag_configs']>): StoredFlagConfig {
  return {
    environment: row.environment,
    flagKey: row.flag_key,
    version: row.version,
    config: parseConfig(row.config),
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  }
}

function toSegment(row: Selectable<Database['segments']>): StoredSegment {
  return {
    environment: row.environment,
    key: row.key,
    segment: parseSegment(row.segment),
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  }
}

function toToken(row: Selectable<Database['tokens']>): TokenRecord {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope as TokenScope,
    environment: row.environment,
    hint: row.hint,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
  }
}

function toAuditEntry(row: Selectable<Database['audit_log']>): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    actorTokenId: row.actor_token_id,
    action: row.action as AuditAction,
    environment: row.environment,
    resourceType: row.resource_type as AuditEntry['resourceType'],
    resourceKey: row.resource_key,
    environmentVersion: row.environment_version,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
    reason: row.reason,
  }
}

function toWebhookEndpoint(row: Selectable<Database['webhook_endpoints']>): StoredWebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.events) as WebhookEndpoint['events'],
    environments: JSON.parse(row.environments) as string[],
    enabled: Number(row.enabled) === 1,
    secretHint: webhookSecretHint(row.secret),
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    secret: row.secret,
  }
}

function withoutSecret({ secret: _secret, ...endpoint }: StoredWebhookEndpoint): WebhookEndpoint {
  return endpoint
}

async function attemptsOf(db: Db, deliveryId: string): Promise<WebhookAttempt[]> {
  const rows = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('attempt')
    .execute()
  return rows.map(toWebhookAttempt)
}

function toWebhookAttempt(row: Selectable<Database['webhook_attempts']>): WebhookAttempt {
  return {
    attempt: Number(row.attempt),
    at: row.at,
    statusCode: row.status_code === null ? null : Number(row.status_code),
    error: row.error,
    durationMs: Number(row.duration_ms),
  }
}

function toWebhookDelivery(
  row: Selectable<Database['webhook_deliveries']>,
  log: WebhookAttempt[],
): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type as WebhookEventType,
    environment: row.environment,
    state: row.state as WebhookDeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    log,
  }
}
