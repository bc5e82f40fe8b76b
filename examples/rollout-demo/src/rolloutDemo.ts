import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CHECKOUT_FLAG,
  LoadGenerator,
  type LoadResult,
  type LoadStats,
} from '@floodgate/example-express-checkout'
import { AdminApi, AdminApiError, type RolloutPlanInput, type RolloutState } from './adminApi'
import { CheckoutFleet } from './checkoutFleet'
import { ControlWatch } from './controlWatch'
import { formatDecision } from './decisionFormat'
import { ManagedProcess } from './managedProcess'

/** Options of the demo; `main.ts` reads them from the command line. */
export interface RolloutDemoOptions {
  /** Checkout instances. Default 3. */
  instances: number
  /** Checkout requests per second over all instances. Default 150. */
  ratePerSec: number
  /** Distinct users the load draws from. Default 5000. */
  users: number
  /** Minimum duration of each stage below 100 %, in seconds. Default 3. */
  stageSec: number
  /** Share of checkouts that fail on both paths. Default 0.03. */
  baseFailRate: number
  /** Share of new checkouts that fail in the buggy release. Default 0.4. */
  bugFailRate: number
  /** Signals period of the instances, in ms. Default 1000. */
  signalsIntervalMs: number
  /** Longest a story may take, in seconds. Default 120. */
  storyTimeoutSec: number
  /** Where the console lines go. */
  out: (line: string) => void
}

export const DEFAULT_DEMO_OPTIONS: Omit<RolloutDemoOptions, 'out'> = {
  instances: 3,
  ratePerSec: 150,
  users: 5000,
  stageSec: 3,
  baseFailRate: 0.03,
  bugFailRate: 0.4,
  signalsIntervalMs: 1000,
  storyTimeoutSec: 120,
}

/** How one story ended. */
export interface StoryResult {
  status: RolloutState['status'] | 'timeout'
  durationMs: number
  decisions: { action: string; reason: string }[]
  traffic: LoadStats
}

/** How the demo ended. */
export interface RolloutDemoResult {
  healthy: StoryResult & { finalPercents: (number | undefined)[] }
  buggy: StoryResult & {
    /** From the first failed new checkout until every instance served control; `null` if that did not happen. */
    timeToControlMs: number | null
    perInstance: { name: string; ms: number | null; localGuard: boolean }[]
  }
  /** Both stories ended as they should: completed, then reverted with every instance on control. */
  success: boolean
}

const ENV = 'production'
const POLL_MS = 100
const TRAFFIC_EVERY_MS = 2000
const SETTLE_MS = 10_000

/**
 * Floodgate's rollouts for real: a server on a fresh SQLite database, a
 * fleet of checkout instances and a load generator, all separate processes
 * but the load. Story 1 rolls out a healthy new checkout, which climbs to
 * 100 % by itself; story 2 ships a buggy one, which the controller reverts.
 */
export class RolloutDemo {
  private readonly processes = new Set<{ stop(): Promise<void> }>()
  private readonly started = Date.now()
  private dir: string | undefined
  private disposed = false

  constructor(private readonly options: RolloutDemoOptions) {}

  async run(): Promise<RolloutDemoResult> {
    const o = this.options
    this.dir = await mkdtemp(join(tmpdir(), 'floodgate-demo-'))
    const adminToken = `fg_admin_${randomBytes(32).toString('base64url')}`
    const { process: server, ready: url } = await ManagedProcess.start({
      name: 'server',
      script: serverScript(),
      args: ['serve', '--port', '0', '--db', join(this.dir, 'floodgate.db'), '--log-level', 'warn'],
      env: { FLOODGATE_ADMIN_TOKEN: adminToken },
      ready: /listening on (http:\/\/\S+)/,
      onLine: (line) => this.say('server', line),
    })
    this.track(server)
    this.say('demo', `server on ${url}, database ${join(this.dir, 'floodgate.db')}`)

    const api = new AdminApi(url, adminToken)
    await api.createBooleanFlag(CHECKOUT_FLAG, 'The new checkout flow')
    await api.setPercent(ENV, CHECKOUT_FLAG, 0, 'dark launch: nobody gets it yet')
    const sdkToken = await api.createSdkToken(ENV, 'checkout')
    const env = {
      FLOODGATE_URL: url,
      FLOODGATE_TOKEN: sdkToken,
      SIGNALS_INTERVAL_MS: String(o.signalsIntervalMs),
      CHECKOUT_FAIL_RATE: String(o.baseFailRate),
    }
    const plan: RolloutPlanInput = {
      treatment: 'on',
      control: 'off',
      stages: [
        { percent: 25, minDurationSec: o.stageSec },
        { percent: 50, minDurationSec: o.stageSec },
        { percent: 100 },
      ],
      // The demo's traffic is small: a handful of expected bad events is enough to promote.
      guard: { minEvidence: 5 },
    }

    this.heading(
      `Story 1: a healthy release. ${o.instances} checkout instances, ${o.ratePerSec} checkouts/s from ${o.users} users; ` +
        `both checkouts fail ${pct(o.baseFailRate)} of the time. Rollout 25 % → 50 % → 100 %, at least ${o.stageSec} s a stage.`,
    )
    const healthy = await this.story(
      api,
      env,
      plan,
      () => {},
      (watch) => watch.percents().every((p) => p === 100),
    )
    const healthyResult = { ...healthy.result, finalPercents: healthy.watch.percents() }
    this.say(
      'demo',
      `story 1 ended ${healthy.result.status}; the instances serve ${percentsText(healthyResult.finalPercents)}`,
    )
    await healthy.fleet.stop()
    this.processes.delete(healthy.fleet)

    this.heading(
      `Story 2: a release with a bug. The new checkout now fails ${pct(1 - (1 - o.baseFailRate) * (1 - o.bugFailRate))} of the time. ` +
        'Same plan; the controller should revert it by itself.',
    )
    await api.setPercent(ENV, CHECKOUT_FLAG, 0, 'back to 0 % for the next release')
    let firstBadAt: number | undefined
    const buggy = await this.story(
      api,
      { ...env, NEW_CHECKOUT_FAIL_RATE: String(o.bugFailRate) },
      plan,
      (result) => {
        if (firstBadAt === undefined && result.checkout === 'new' && !result.ok) {
          firstBadAt = result.sentAt
          this.say('load', `first failed new checkout (${result.target}, ${result.userId})`)
        }
      },
      (watch) => watch.allBackToControl,
    )
    const perInstance = buggy.watch.instances.map((i) => ({
      name: i.name,
      ms: i.controlAt === undefined || firstBadAt === undefined ? null : i.controlAt - firstBadAt,
      localGuard: i.state?.localGuardTripped ?? false,
    }))
    const times = perInstance.map((i) => i.ms)
    const timeToControlMs = times.every((t): t is number => t !== null) ? Math.max(...times) : null
    await buggy.fleet.stop()
    this.processes.delete(buggy.fleet)

    const result: RolloutDemoResult = {
      healthy: healthyResult,
      buggy: { ...buggy.result, timeToControlMs, perInstance },
      success:
        healthy.result.status === 'completed' &&
        healthyResult.finalPercents.every((p) => p === 100) &&
        buggy.result.status === 'reverted' &&
        timeToControlMs !== null,
    }
    this.summary(result, buggy.watch.intervalMs)
    return result
  }

  /** Stops every process the demo started and removes its database. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    // Instances first, so their last signals still reach the server.
    const processes = [...this.processes].reverse()
    for (const p of processes) await p.stop()
    this.processes.clear()
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true })
  }

  /**
   * One story: a fresh fleet under load, a rollout started on it and watched
   * until it ends (and `settled` holds), each decision shown as it lands.
   */
  private async story(
    api: AdminApi,
    env: Record<string, string>,
    plan: RolloutPlanInput,
    onResult: (result: LoadResult) => void,
    settled: (watch: ControlWatch) => boolean,
  ) {
    const o = this.options
    const fleet = await CheckoutFleet.start({
      size: o.instances,
      env,
      onLine: (name, line) => this.say(name, line),
    })
    this.track(fleet)
    this.say('demo', `${fleet.instances.map((i) => `${i.name} ${i.url}`).join(', ')}`)
    const watch = new ControlWatch(fleet.instances).start()
    const load = new LoadGenerator({
      targets: fleet.urls,
      ratePerSec: o.ratePerSec,
      users: o.users,
      onResult,
    }).start()
    const started = Date.now()
    let state: RolloutState
    try {
      state = await api.startRollout(ENV, CHECKOUT_FLAG, plan)
    } catch (error) {
      await load.stop()
      watch.stop()
      if (error instanceof AdminApiError && error.status === 404) {
        throw new Error(
          `this server has no rollout controller: ${error.method} ${error.path} answered 404`,
        )
      }
      throw error
    }
    let shown = 0
    const show = (s: RolloutState) => {
      for (; shown < s.decisions.length; shown++) {
        const decision = s.decisions[shown]
        if (decision === undefined) continue
        const [first, ...rest] = formatDecision(decision)
        this.say('rollout', first ?? '')
        for (const line of rest) this.say('', line)
      }
    }
    show(state)
    let lastPercents = ''
    let lastTraffic = Date.now()
    let window = load.stats()
    let deadline = started + o.storyTimeoutSec * 1000
    let ended = false
    while (Date.now() < deadline) {
      await sleep(POLL_MS)
      state = await api.currentRollout(ENV, CHECKOUT_FLAG)
      show(state)
      const percents = percentsText(watch.percents())
      if (percents !== lastPercents && watch.percents().every((p) => p !== undefined)) {
        this.say('fleet', `the instances serve ${percents}`)
        lastPercents = percents
      }
      if (Date.now() - lastTraffic >= TRAFFIC_EVERY_MS) {
        const now = load.stats()
        this.say('load', trafficLine(window, now, watch.percents()))
        window = now
        lastTraffic = Date.now()
      }
      if (state.status !== 'running') {
        if (settled(watch)) break
        // The rollout is over; the fleet gets a few seconds to show its last change.
        if (!ended) deadline = Math.min(deadline, Date.now() + SETTLE_MS)
        ended = true
      }
    }
    const durationMs = Date.now() - started
    await load.stop()
    watch.stop()
    return {
      fleet,
      watch,
      result: {
        status: state.status === 'running' ? 'timeout' : state.status,
        durationMs,
        decisions: state.decisions.map((d) => ({ action: d.action, reason: d.reason })),
        traffic: load.stats(),
      } satisfies StoryResult,
    }
  }

  private summary(result: RolloutDemoResult, pollMs: number): void {
    const { healthy, buggy } = result
    const actions = (s: StoryResult) =>
      s.decisions
        .map((d) => d.action)
        .filter((a) => a !== 'start')
        .join(' → ')
    this.heading('Summary')
    this.say(
      'story 1',
      `${healthy.status} in ${seconds(healthy.durationMs)} (${actions(healthy) || 'no decision'}); ` +
        `instances serve ${percentsText(healthy.finalPercents)}`,
    )
    this.say(
      'story 2',
      `${buggy.status} in ${seconds(buggy.durationMs)} after the rollout started (${actions(buggy) || 'no decision'})`,
    )
    if (buggy.timeToControlMs === null) {
      this.say('story 2', 'not every instance went back to control')
    } else {
      this.say(
        'story 2',
        `first failed new checkout → every instance serving control: ${seconds(buggy.timeToControlMs)} ` +
          `(goal under 3 s: ${buggy.timeToControlMs < 3000 ? 'met' : 'missed'}; ` +
          `read from each instance's /flag-state every ${pollMs} ms)`,
      )
      for (const i of buggy.perInstance) {
        this.say(
          'story 2',
          `  ${i.name}: ${i.ms === null ? 'never' : seconds(i.ms)}${i.localGuard ? ' (its local guard tripped first)' : ''}`,
        )
      }
    }
    this.say('demo', result.success ? 'both stories ended as they should' : 'a story went wrong')
  }

  /** Keeps a process to stop on dispose; one started while disposing is stopped at once. */
  private track(process: { stop(): Promise<void> }): void {
    if (this.disposed) {
      void process.stop()
      throw new Error('the demo was stopped')
    }
    this.processes.add(process)
  }

  private heading(text: string): void {
    this.options.out('')
    this.options.out(`== ${text}`)
  }

  private say(source: string, text: string): void {
    const at = `${((Date.now() - this.started) / 1000).toFixed(1)}s`.padStart(7)
    this.options.out(`${at} ${source.padEnd(10)} ${text}`)
  }
}

/** The `floodgate` CLI next to the module the server package resolves to (source or build). */
function serverScript(): string {
  const index = fileURLToPath(import.meta.resolve('@floodgate/server'))
  return index.replace(/index\.(ts|js)$/, 'cli.$1')
}

function trafficLine(before: LoadStats, now: LoadStats, percents: (number | undefined)[]): string {
  const newN = now.new.requests - before.new.requests
  const newF = now.new.failures - before.new.failures
  const oldN = now.legacy.requests - before.legacy.requests
  const oldF = now.legacy.failures - before.legacy.failures
  const lost = now.transportErrors - before.transportErrors
  return (
    `new ${newN} (${newF} failed) · legacy ${oldN} (${oldF} failed)` +
    (lost > 0 ? ` · unanswered ${lost}` : '') +
    ` · instances serve ${percentsText(percents)}`
  )
}

function percentsText(percents: (number | undefined)[]): string {
  return percents.map((p) => `${p ?? '?'} %`).join(' / ')
}

function pct(share: number): string {
  return `${Number((share * 100).toPrecision(3))} %`
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
