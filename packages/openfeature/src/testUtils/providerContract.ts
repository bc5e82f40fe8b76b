import type { Logger, Snapshot } from '@floodgate/core'
import { createTokenSecret } from '@floodgate/server'
import type {
  EvaluationContext,
  EvaluationDetails,
  EventDetails,
  FlagValue,
  FlagValueType,
  TrackingEventDetails,
} from '@openfeature/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FloodgateServerProvider } from '../floodgateServerProvider'
import type { FloodgateWebProvider } from '../floodgateWebProvider'
import type { TrackedEvent } from '../trackedEvent'
import { type FlagHealth, LiveServer } from './liveServer'
import { recordingLogger } from './recordingLogger'
import { EVALUATION_CASES, seedFlags } from './seed'

/** What a test asks of a provider it makes. */
export interface ProviderSetup {
  url: string
  token: string
  logger?: Logger
  trackedEvents?: Record<string, TrackedEvent>
  /** Keep the last snapshot under this name (a file, Web Storage), served at the next start. */
  cache?: string
  /** A snapshot to serve until the server's arrives; the provider is then given a client made with it. */
  bootstrap?: Snapshot
}

export type AnyProvider = FloodgateServerProvider | FloodgateWebProvider

export type ProviderEventName =
  | 'PROVIDER_READY'
  | 'PROVIDER_STALE'
  | 'PROVIDER_ERROR'
  | 'PROVIDER_CONFIGURATION_CHANGED'

/**
 * One OpenFeature SDK driving one of the providers. Each provider made gets
 * a domain of its own; `on`, `evaluate`, `track` and `status` speak to the
 * domain of the last provider made.
 */
export interface Harness<P extends AnyProvider> {
  /** The scope of the SDK tokens the provider uses. */
  scope: 'server' | 'client'
  /** A provider for a new domain. */
  provider(setup: ProviderSetup): P
  /** `setProviderAndWait` in the provider's domain: rejects when `initialize` does. */
  set(provider: P): Promise<void>
  /** Evaluates through the SDK's client, for `context` (the web SDK's static context is set to it first). */
  evaluate(
    type: FlagValueType,
    flagKey: string,
    defaultValue: FlagValue,
    context: EvaluationContext,
  ): Promise<EvaluationDetails<FlagValue>>
  track(name: string, context: EvaluationContext, details?: TrackingEventDetails): Promise<void>
  on(event: ProviderEventName, handler: (details?: EventDetails) => void): void
  status(): string
  /** `OpenFeature.close()`: every provider's `onClose`. */
  close(): Promise<void>
}

const PATIENCE = { timeout: 10_000, interval: 20 }

/**
 * What both providers must do, through the real OpenFeature SDK against a
 * real Floodgate server: every evaluation type and error code, status and
 * events on change, kill, outage and recovery, and `track()` signals
 * attributed to the variant served, as the rollout's health shows them.
 */
export function providerContract<P extends AnyProvider>(h: Harness<P>): void {
  describe('evaluation', () => {
    let live: LiveServer
    beforeAll(async () => {
      live = await LiveServer.start()
      await seedFlags(live)
      await h.set(h.provider({ url: live.url, token: await live.token(h.scope) }))
    })
    afterAll(async () => {
      await h.close()
      await live.dispose()
    })

    it.each(EVALUATION_CASES)('should resolve $name', async (c) => {
      const details = await h.evaluate(c.type, c.flagKey, c.defaultValue, c.context)
      expect(details).toMatchObject({ flagKey: c.flagKey, ...c.expected })
      if (c.expected.variant === undefined) expect(details.variant).toBeUndefined()
      if (c.expected.errorCode !== undefined)
        expect(details.errorMessage).toEqual(expect.any(String))
      expect(Object.keys(details.flagMetadata).sort()).toEqual(c.metadata)
    })

    it('should answer GENERAL for a context that cannot be read', async () => {
      const profile = {
        get plan(): string {
          throw new Error('the profile store is down')
        },
      }
      const details = await h.evaluate('boolean', 'new-checkout', true, {
        targetingKey: 'user-1',
        profile,
      } as unknown as EvaluationContext)
      expect(details).toMatchObject({
        value: true,
        reason: 'ERROR',
        errorCode: 'GENERAL',
        errorMessage: 'the profile store is down',
      })
    })
  })

  describe('status and events', () => {
    let live: LiveServer
    let token: string
    beforeEach(async () => {
      live = await LiveServer.start()
      await seedFlags(live)
      token = await live.token(h.scope)
    })
    afterEach(async () => {
      await h.close()
      await live.dispose()
    })

    it('should raise PROVIDER_CONFIGURATION_CHANGED naming the flag a change or a kill touches, and serve it at once', async () => {
      await h.set(h.provider({ url: live.url, token }))
      const changed: (string[] | undefined)[] = []
      h.on('PROVIDER_CONFIGURATION_CHANGED', (details) =>
        changed.push(details?.flagsChanged as string[] | undefined),
      )
      const user = { targetingKey: 'user-1' }

      await live.configure('banner', { enabled: true, fallthrough: { variant: 'hello' } })
      await vi.waitFor(() => expect(changed).toEqual([['banner']]), PATIENCE)
      expect(await h.evaluate('string', 'banner', '', user)).toMatchObject({ value: 'Hello!' })

      await live.action('new-checkout', 'kill', { reason: 'checkout errors' })
      await vi.waitFor(() => expect(changed).toEqual([['banner'], ['new-checkout']]), PATIENCE)
      expect(await h.evaluate('boolean', 'new-checkout', true, user)).toMatchObject({
        value: false,
        variant: 'off',
        reason: 'KILLED',
      })

      await live.action('new-checkout', 'unkill')
      await vi.waitFor(() => expect(changed).toHaveLength(3), PATIENCE)
      expect(changed[2]).toEqual(['new-checkout'])
      expect(await h.evaluate('boolean', 'new-checkout', false, user)).toMatchObject({
        value: true,
        reason: 'SPLIT',
      })
      expect(h.status()).toBe('READY')
    })

    it('should go STALE while the server is away, serving what it had, and READY once it is back', async () => {
      await h.set(h.provider({ url: live.url, token }))
      const events: string[] = []
      h.on('PROVIDER_STALE', () => events.push('stale'))
      h.on('PROVIDER_READY', () => events.push('ready'))
      expect(events).toEqual(['ready']) // a handler for the current status runs at once

      await live.stop()
      await vi.waitFor(() => expect(h.status()).toBe('STALE'), PATIENCE)
      expect(
        await h.evaluate('boolean', 'new-checkout', false, { targetingKey: 'user-1' }),
      ).toMatchObject({
        value: true,
        reason: 'SPLIT',
      })

      await live.start()
      await vi.waitFor(() => expect(h.status()).toBe('READY'), PATIENCE)
      expect(events).toEqual(['ready', 'stale', 'ready'])
    })

    it('should fail to initialize while the server is unreachable (ERROR, PROVIDER_NOT_READY), and become READY when it is up', async () => {
      await live.stop()
      const provider = h.provider({ url: live.url, token })
      const errors: (string | undefined)[] = []
      h.on('PROVIDER_ERROR', (details) => errors.push(details?.message))
      await expect(h.set(provider)).rejects.toThrow(/still trying/)
      expect(h.status()).toBe('ERROR')
      expect(errors).toEqual([expect.stringMatching(/still trying/)])
      expect(
        await h.evaluate('boolean', 'new-checkout', true, { targetingKey: 'user-1' }),
      ).toMatchObject({
        value: true,
        reason: 'ERROR',
        errorCode: 'PROVIDER_NOT_READY',
      })

      await live.start()
      await vi.waitFor(() => expect(h.status()).toBe('READY'), PATIENCE)
      expect(
        await h.evaluate('boolean', 'new-checkout', false, { targetingKey: 'user-1' }),
      ).toMatchObject({
        value: true,
        reason: 'SPLIT',
      })
    })

    it('should be FATAL when the server refuses the token', async () => {
      const refused = createTokenSecret(h.scope)
      const provider = h.provider({ url: live.url, token: refused })
      const errors: (string | undefined)[] = []
      h.on('PROVIDER_ERROR', (details) => errors.push(details?.message))
      await expect(h.set(provider)).rejects.toThrow(/401/)
      expect(h.status()).toBe('FATAL')
      expect(errors).toEqual([expect.stringMatching(/rejected the token \(401\)/)])
      expect(
        await h.evaluate('boolean', 'new-checkout', true, { targetingKey: 'user-1' }),
      ).toMatchObject({
        value: true,
        reason: 'ERROR',
        errorCode: 'PROVIDER_FATAL',
      })
    })

    it('should start READY then STALE from its cache while the server is unreachable', async () => {
      const first = h.provider({ url: live.url, token, cache: 'restart' })
      await h.set(first)
      await h.close()
      await live.stop()

      const second = h.provider({ url: live.url, token, cache: 'restart' })
      const events: string[] = []
      h.on('PROVIDER_READY', () => events.push('ready'))
      h.on('PROVIDER_STALE', () => events.push('stale'))
      await h.set(second)
      await vi.waitFor(() => expect(h.status()).toBe('STALE'), PATIENCE)
      expect(events).toEqual(['ready', 'stale'])
      expect(
        await h.evaluate('boolean', 'new-checkout', false, { targetingKey: 'user-1' }),
      ).toMatchObject({
        value: true,
        reason: 'SPLIT',
      })
    })

    it('should answer PARSE_ERROR for a malformed flag in the snapshot it serves', async () => {
      // The server validates every configuration, so only a snapshot from elsewhere (a bootstrap
      // file, here served while the server is unreachable) can hold a malformed flag.
      await live.stop()
      const bootstrap: Snapshot = {
        schemaVersion: 1,
        environment: 'production',
        version: 1,
        segments: {},
        flags: {
          'hand-edited': {
            key: 'hand-edited',
            kind: 'boolean',
            version: 1,
            variants: { on: true, off: false },
            offVariant: 'maybe',
            enabled: true,
            killed: false,
            salt: 'hand-edited',
            rules: [],
            fallthrough: { variant: 'on' },
          },
        },
      }
      await h.set(h.provider({ url: live.url, token, bootstrap }))
      expect(
        await h.evaluate('boolean', 'hand-edited', false, { targetingKey: 'user-1' }),
      ).toMatchObject({
        value: false,
        reason: 'ERROR',
        errorCode: 'PARSE_ERROR',
        errorMessage: expect.stringContaining('offVariant'),
      })
    })
  })

  describe('track', () => {
    let live: LiveServer
    let token: string
    beforeEach(async () => {
      // No controller ticks: the rollout stays at its first stage however the signals look.
      live = await LiveServer.start({ rollouts: { tickMs: 0 } })
      await seedFlags(live)
      await live.action('new-checkout', 'rollouts', {
        treatment: 'on',
        control: 'off',
        stages: [{ percent: 50, minDurationSec: 3600 }, { percent: 100 }],
        guard: { minEvidence: 1e9 },
      })
      token = await live.token(h.scope)
    })
    afterEach(async () => {
      await h.close()
      await live.dispose()
    })

    /** What the health endpoint shows for stage 0 once the server has the signals. */
    const stageSignals = async (provider: P) => {
      await provider.client.flushSignals()
      await live.server?.signals.flush()
      const health = await live.health('new-checkout')
      return health.stages.find((s) => s.stageIndex === 0)?.variants ?? {}
    }

    it("should count tracked outcomes for the variant each user was served, in the rollout's health", async () => {
      const provider = h.provider({
        url: live.url,
        token,
        trackedEvents: {
          'checkout-failed': { flags: ['new-checkout'], outcome: 'error' },
          'checkout-completed': { flags: ['new-checkout'] },
        },
      })
      await h.set(provider)
      type Counts = FlagHealth['stages'][number]['variants'][string]
      const zero = (): Counts => ({
        exposures: 0,
        successes: 0,
        errors: 0,
        latencyCount: 0,
        latencySumMs: 0,
      })
      const expected: Record<string, Counts> = { on: zero(), off: zero() }
      for (let i = 0; i < 60; i++) {
        const user = { targetingKey: `user-${i}` }
        const { variant } = await h.evaluate('boolean', 'new-checkout', false, user)
        const counts = expected[variant ?? '']
        if (counts === undefined) throw new Error(`user-${i} was served ${variant}`)
        counts.exposures++
        if (i % 3 === 0) {
          await h.track('checkout-failed', user, { latencyMs: 30 })
          counts.errors++
          counts.latencyCount++
          counts.latencySumMs += 30
        } else if (i % 3 === 1) {
          await h.track('checkout-completed', user, { latencyMs: 10 })
          counts.successes++
          counts.latencyCount++
          counts.latencySumMs += 10
        } else {
          // `value` is an amount, not a latency; the flag is named per call.
          await h.track('purchase', user, {
            flagKey: 'new-checkout',
            outcome: 'success',
            value: 99.5,
          })
          counts.successes++
        }
        await h.track('page-view', user, {})
      }
      expect(expected.on?.exposures).toBeGreaterThan(10)
      expect(expected.off?.exposures).toBeGreaterThan(10)
      await vi.waitFor(async () => {
        const signals = await stageSignals(provider)
        for (const variant of ['on', 'off']) {
          expect(signals[variant]).toMatchObject(expected[variant] ?? {})
        }
      }, PATIENCE)
    })

    it('should count nothing for an unusable tracking event, and say why once', async () => {
      const logger = recordingLogger()
      const provider = h.provider({ url: live.url, token, logger })
      await h.set(provider)
      const user = { targetingKey: 'user-1' }
      await h.track('bad-flag-key', user, { flagKey: 42 })
      await h.track('bad-flag-key', user, { flagKey: 42 })
      await h.track('bad-outcome', user, { flagKey: 'new-checkout', outcome: 'maybe' })
      await h.track('bad-latency', user, { flagKey: 'new-checkout', latencyMs: -1 })
      await h.track('unknown-flag', user, { flagKey: 'new-chekout' })
      await h.track(
        'bad-context',
        { targetingKey: 'u', devices: [{ id: 1 }] },
        { flagKey: 'new-checkout' },
      )
      expect(logger.messages).toEqual([
        '[floodgate] track("bad-flag-key"): details.flagKey must be a string',
        '[floodgate] track("bad-outcome"): details.outcome must be "success" or "error"',
        '[floodgate] track("bad-latency"): details.latencyMs must be a finite number of milliseconds, 0 or more',
        '[floodgate] track("unknown-flag"): flag "new-chekout" is not in the snapshot; nothing counted',
        expect.stringMatching(
          /^\[floodgate\] track\("bad-context"\): attribute "devices": a list may hold/,
        ),
      ])
      const signals = await stageSignals(provider)
      for (const counts of Object.values(signals)) {
        expect(counts).toMatchObject({ successes: 0, errors: 0 })
      }
    })
  })
}
