import {
  LATENCY_BUCKETS_MS,
  MAX_ERROR_UNIT_HASHES,
  parseRolloutPlan,
  type RolloutPlan,
  type RolloutPlanInput,
  type SignalsBatch,
  type VariantSignals,
} from '@floodgate/core'
import { FirstErrors } from '../src/rollouts/firstErrors'
import {
  RolloutMonitor,
  type RolloutMonitorOptions,
  type RolloutMonitorState,
} from '../src/rollouts/rolloutMonitor'
import { SequentialTest } from '../src/rollouts/sequentialTest'
import type { StageEvidence } from '../src/rollouts/stagePolicy'
import { Random } from './rolloutsRandom'

/**
 * The simulated service, the same in every scenario. Chosen before looking at
 * any result, to look like a real one: heavy-tailed users who stay in their
 * arm, a few broken clients that retry, regions whose daily peaks differ,
 * surges, shared incidents that hit both arms, several SDK instances behind a
 * load balancer flushing every ~10 s.
 *
 * Each user sends requests as a Poisson process at their own rate, so the
 * requests of a set of users (an arm, on one instance, for one second) are
 * Poisson with the summed rate, split exactly into independent Poisson
 * successes and failures (thinning). The simulation draws those sums, and
 * draws a user only for each failure (to count units, retries and who is
 * broken): the same distribution as drawing every request, a hundred times
 * cheaper.
 */
export const TRAFFIC = {
  users: 50_000,
  /** Each request (retries too) goes to a random SDK instance; `sticky` pins a user to one. */
  routing: 'random' as 'random' | 'sticky',
  /** Mean requests per second over the day; the rate swings around it. */
  requestsPerSec: 100,
  /** Per-user activity is log-normal with this sigma (the busiest user ≈ 160× the mean). */
  activitySigma: 1.5,
  /** Three regions; each swings daily with its own amplitude and phase. */
  regionAmplitude: [0.9, 0.6, 0.3],
  /** Region 3's users (mobile-heavy, say) fail twice as often. */
  regionErrorFactor: [1, 1, 2],
  dayPeriodSec: 3 * 3600,
  /** Traffic surges: every ~90 min on average, 5 min long, 2.5× traffic. */
  surge: { everySec: 90 * 60, durationSec: 300, factor: 2.5 },
  /** Shared incidents (a dependency failing): both arms, ~every 2 h, 2 min, +15 % errors. */
  incident: { everySec: 2 * 3600, durationSec: 120, errorRate: 0.15 },
  /** First-attempt error rate over all traffic. */
  baselineErrorRate: 0.01,
  /** Per-user error propensity: gamma with this shape (coefficient of variation 1.41). */
  propensityShape: 0.5,
  /** Broken clients: 0.2 % of users fail half their calls and retry hard. */
  broken: { share: 0.002, errorRate: 0.5, maxActivityVsMean: 20 },
  /** Retries after an error, immediate, each routed anew; `stickyFail`: chance the cause persists. */
  retry: {
    normal: { chance: 0.5, max: 2, stickyFail: 0.3 },
    broken: { chance: 1, max: 5, stickyFail: 0.95 },
  },
  instances: 4,
  /**
   * SDKs flush every 9–11 s, and within ~1 s when a rollout's treatment errors
   * in the window reach `urgentErrors` (the core SDK's default, 10).
   */
  flush: { everySec: 10, jitterSec: 1, urgentErrors: 10 },
  /** A configuration change reaches each SDK after 1–5 s. */
  propagationSec: [1, 5],
  /** Latency classes (share of users, median ms, log-normal sigma). */
  latency: [
    { share: 0.7, medianMs: 60, sigma: 0.6 },
    { share: 0.25, medianMs: 150, sigma: 0.6 },
    { share: 0.05, medianMs: 400, sigma: 0.8 },
  ],
  /** The latency guard the shadow test and the latency scenario use. */
  latencyThresholdMs: 500,
} as const

/** What treatment does differently. */
export type TreatmentEffect =
  | { kind: 'healthy' }
  /** Each treatment call fails with this extra probability (a bug hitting every user alike). */
  | { kind: 'errors'; extraErrorRate: number }
  /** Treatment calls take this many times longer. */
  | { kind: 'latency'; factor: number }

export interface Scenario {
  name: string
  runs: number
  seed: number
  plan: RolloutPlanInput
  treatment: TreatmentEffect
  /** Treatment is served to this many times the configured share (a broken split). Default 1. */
  skew?: number
  /** Simulate latency histograms (needed by a latency guard). */
  latency: boolean
  /**
   * After the rollout stops, carry on as if it had not (the tests reset for
   * the policy, the stage clock and evidence rules still apply) until every
   * comparison test has fired or the rollout completes, to measure them too.
   */
  shadows: boolean
  /** Give up after this much simulated time. */
  maxSimSec: number
  /** Options of the monitor under test. */
  monitor?: RolloutMonitorOptions
  /** Departures from {@link TRAFFIC}, for sensitivity runs. */
  traffic?: { users?: number; routing?: 'random' | 'sticky'; brokenShare?: number }
}

/** Runs share a user population in blocks of this many (each rollout hashes with its own salt). */
export const RUNS_PER_POPULATION = 500

export type Outcome = 'complete' | 'revert' | 'pause' | 'timeout'

/** One simulated rollout. */
export interface RunResult {
  outcome: Outcome
  /** Simulated seconds until the outcome. */
  atSec: number
  /** Requests served treatment until the outcome (retries included). */
  canaryRequests: number
  /** Stage index at the outcome. */
  stageIndex: number
  /** Whether the policy held at some stage before the outcome. */
  held: boolean
  /** Which check stopped the rollout. */
  cause: 'errors' | 'latency' | 'sample ratio' | null
  /** Treatment's bad-event rate over control's, in the stage counts at the outcome. */
  observedRatio: number
  /** First-attempt error rate of the users the first stage put in treatment, over control's. */
  armRatio: number
  /** Canary requests at which each comparison test would have fired, or null. */
  shadow: {
    /** A pooled two-proportion z-test on this stage's units with errors, checked after every batch. */
    naiveZ: number | null
    /** The shipped test fed raw error counts instead of units with errors. */
    rawErrors: number | null
    /** The guard before unit hashes: distinct units per SDK window, compared at the exposure share. */
    unitsPerWindow: number | null
  }
}

const START_MS = 1_700_000_000_000
const BUCKETS = LATENCY_BUCKETS_MS.length + 1
const CLASSES = TRAFFIC.latency.length
// Per (instance, arm): exposures, errors, error units, first-in-stage units, latency buckets.
const CELL = 4 + BUCKETS
const T = 0
const C = 1
const Z_99 = 2.326

interface Population {
  users: number
  region: Uint8Array
  /** Activity as a share of the user's region. */
  weight: Float64Array
  propensity: Float64Array
  broken: Uint8Array
  latencyClass: Uint8Array
}

const populations = new Map<string, Population>()

/** The user population of one block of runs, built once per worker. */
function populationFor(scenario: Scenario, index: number): Population {
  const block = Math.floor(index / RUNS_PER_POPULATION)
  const users = scenario.traffic?.users ?? TRAFFIC.users
  const brokenShare = scenario.traffic?.brokenShare ?? TRAFFIC.broken.share
  const key = `${scenario.seed}:${block}:${users}:${brokenShare}`
  let pop = populations.get(key)
  if (!pop) {
    populations.clear()
    pop = populate(new Random(scenario.seed ^ 0x5eed, block), users, brokenShare)
    populations.set(key, pop)
  }
  return pop
}

function populate(random: Random, n: number, brokenShare: number): Population {
  const weight = new Float64Array(n)
  const propensity = new Float64Array(n)
  const broken = new Uint8Array(n)
  const latencyClass = new Uint8Array(n)
  const region = new Uint8Array(n)
  const meanActivity = Math.exp(TRAFFIC.activitySigma ** 2 / 2)
  for (let u = 0; u < n; u++) {
    region[u] = random.int(3)
    let activity = Math.exp(TRAFFIC.activitySigma * random.normal())
    if (random.next() < brokenShare) {
      broken[u] = 1
      activity = Math.min(activity, TRAFFIC.broken.maxActivityVsMean * meanActivity)
    } else {
      propensity[u] =
        (random.gamma(TRAFFIC.propensityShape) / TRAFFIC.propensityShape) *
        (TRAFFIC.regionErrorFactor[region[u] as number] ?? 1)
    }
    weight[u] = activity
    const c = random.next()
    latencyClass[u] = c < TRAFFIC.latency[0].share ? 0 : c < 1 - TRAFFIC.latency[2].share ? 1 : 2
  }
  // Scale ordinary users so that the traffic-weighted first-attempt error rate is the baseline.
  let total = 0
  let brokenErrors = 0
  let ordinary = 0
  const regionTotal = new Float64Array(3)
  for (let u = 0; u < n; u++) {
    const a = weight[u] as number
    total += a
    regionTotal[region[u] as number] = (regionTotal[region[u] as number] as number) + a
    if (broken[u]) brokenErrors += a * TRAFFIC.broken.errorRate
    else ordinary += a * (propensity[u] as number)
  }
  const scale = Math.max(0, TRAFFIC.baselineErrorRate * total - brokenErrors) / ordinary
  for (let u = 0; u < n; u++) {
    propensity[u] = broken[u]
      ? TRAFFIC.broken.errorRate
      : Math.min(0.5, (propensity[u] as number) * scale)
    weight[u] = (weight[u] as number) / (regionTotal[region[u] as number] as number)
  }
  return { users: n, region, weight, propensity, broken, latencyClass }
}

/**
 * The users of one region (and, with sticky routing, one instance) sorted by
 * their bucket under this rollout's salt, with running sums of what the
 * simulation needs: an arm is a prefix (treatment) or suffix (control).
 */
interface Group {
  region: number
  /** The instance all of the group's requests go to, or -1 when each request picks one. */
  instance: number
  users: Int32Array
  /** Index of the first user whose bucket is at least b, for b in [0, 10000]. */
  start: Int32Array
  /** Running sums of weight, weight × propensity, weight × (1 − propensity), weight per latency class. */
  w: Float64Array
  wp: Float64Array
  wq: Float64Array
  wc: Float64Array[]
}

function groupsFor(
  pop: Population,
  bucket: Int32Array,
  sticky: boolean,
  latency: boolean,
): Group[] {
  const K = TRAFFIC.instances
  const count = sticky ? 3 * K : 3
  const gid = new Uint8Array(pop.users)
  const sizes = new Int32Array(count)
  for (let u = 0; u < pop.users; u++) {
    const g = sticky ? (pop.region[u] as number) * K + (u % K) : (pop.region[u] as number)
    gid[u] = g
    sizes[g] = (sizes[g] as number) + 1
  }
  const groups: Group[] = []
  for (let g = 0; g < count; g++) {
    const n = sizes[g] as number
    groups.push({
      region: sticky ? Math.floor(g / K) : g,
      instance: sticky ? g % K : -1,
      users: new Int32Array(n),
      start: new Int32Array(10_001),
      w: new Float64Array(n + 1),
      wp: new Float64Array(n + 1),
      wq: new Float64Array(n + 1),
      wc: latency ? Array.from({ length: CLASSES }, () => new Float64Array(n + 1)) : [],
    })
  }
  // Counting sort by bucket, then running sums.
  for (let u = 0; u < pop.users; u++) {
    const start = (groups[gid[u] as number] as Group).start
    const b = (bucket[u] as number) + 1
    start[b] = (start[b] as number) + 1
  }
  const next: Int32Array[] = []
  for (const group of groups) {
    const start = group.start
    for (let b = 1; b <= 10_000; b++) start[b] = (start[b] as number) + (start[b - 1] as number)
    next.push(Int32Array.from(start))
  }
  for (let u = 0; u < pop.users; u++) {
    const g = gid[u] as number
    const slots = next[g] as Int32Array
    const b = bucket[u] as number
    const at = slots[b] as number
    ;(groups[g] as Group).users[at] = u
    slots[b] = at + 1
  }
  for (const group of groups) {
    const { users, w, wp, wq, wc } = group
    let sw = 0
    let swp = 0
    let swq = 0
    for (let j = 0; j < users.length; j++) {
      const u = users[j] as number
      const a = pop.weight[u] as number
      const p = pop.propensity[u] as number
      sw += a
      swp += a * p
      swq += a * (1 - p)
      w[j + 1] = sw
      wp[j + 1] = swp
      wq[j + 1] = swq
    }
    for (let c = 0; c < wc.length; c++) {
      const sums = wc[c] as Float64Array
      let sc = 0
      for (let j = 0; j < users.length; j++) {
        const u = users[j] as number
        if (pop.latencyClass[u] === c) sc += pop.weight[u] as number
        sums[j + 1] = sc
      }
    }
  }
  return groups
}

/** A user of `group` between positions `from` and `to`, drawn in proportion to `sums`' increments. */
function drawUser(
  random: Random,
  group: Group,
  sums: Float64Array,
  from: number,
  to: number,
): number {
  const lo0 = sums[from] as number
  const target = lo0 + random.next() * ((sums[to] as number) - lo0)
  let lo = from
  let hi = to - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sums[mid + 1] as number) > target) hi = mid
    else lo = mid + 1
  }
  return group.users[lo] as number
}

/** Bucket shares of one latency class, times `factor`. */
function latencyShares(medianMs: number, sigma: number, factor: number): Float64Array {
  const shares = new Float64Array(BUCKETS)
  let below = 0
  LATENCY_BUCKETS_MS.forEach((bound, i) => {
    const cdf = normalCdf(Math.log(bound / (medianMs * factor)) / sigma)
    shares[i] = cdf - below
    below = cdf
  })
  shares[BUCKETS - 1] = 1 - below
  return shares
}

function normalCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 on erf: ample for bucket shares.
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x)
  return z >= 0 ? (1 + y) / 2 : (1 - y) / 2
}

function intervals(random: Random, everySec: number, durationSec: number, horizon: number) {
  const out: [number, number][] = []
  let t = -Math.log(1 - random.next()) * everySec
  while (t < horizon) {
    out.push([t, t + durationSec])
    t += durationSec - Math.log(1 - random.next()) * everySec
  }
  return out
}

function inside(list: [number, number][], t: number): boolean {
  for (const [a, b] of list) if (t >= a && t < b) return true
  return false
}

/** Which window last counted a user's error on an instance; window numbers never repeat in a worker. */
let lastErrorWindow = new Float64Array(0)
let windows = 0
/** Which stage last counted a user's error; stage numbers never repeat in a worker. */
let lastErrorStage = new Float64Array(0)
let stages = 0

/** The user's bucket under this rollout's salt: a murmur3 finalizer, uniform like the real hash. */
function unitBucket(u: number, salt: number): number {
  let h = Math.imul(u ^ salt, 0xcc9e2d51)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) % 10_000
}

/** Runs one simulated rollout of `scenario`, number `index`. Deterministic in (seed, index). */
export function simulate(scenario: Scenario, index: number): RunResult {
  const random = new Random(scenario.seed, index)
  const parsed = parseRolloutPlan(scenario.plan)
  if (!parsed.success) throw new Error(`invalid plan in scenario ${scenario.name}`)
  const plan: RolloutPlan = parsed.data
  const pop = populationFor(scenario, index)
  const sticky = (scenario.traffic?.routing ?? TRAFFIC.routing) === 'sticky'
  const salt = random.uint32()
  const bucket = new Int32Array(pop.users)
  for (let u = 0; u < pop.users; u++) bucket[u] = unitBucket(u, salt)
  const groups = groupsFor(pop, bucket, sticky, scenario.latency)
  const armRatio = firstArmRatio(groups, plan)
  const K = TRAFFIC.instances
  const skew = scenario.skew ?? 1
  const effect = scenario.treatment
  const extraError = effect.kind === 'errors' ? effect.extraErrorRate : 0
  const latencyFactor = effect.kind === 'latency' ? effect.factor : 1
  const shares = [1, latencyFactor].map((factor) =>
    TRAFFIC.latency.map((c) => latencyShares(c.medianMs, c.sigma, factor)),
  )
  const phase = random.next() * 2 * Math.PI
  const horizon = scenario.maxSimSec
  const surges = intervals(random, TRAFFIC.surge.everySec, TRAFFIC.surge.durationSec, horizon)
  const incidents = intervals(
    random,
    TRAFFIC.incident.everySec,
    TRAFFIC.incident.durationSec,
    horizon,
  )

  // Per instance: served percent (basis points), pending change, flush timers, window cells.
  const servedBp = new Float64Array(K)
  const pendingBp = new Float64Array(K).fill(-1)
  const pendingAt = new Float64Array(K)
  const nextFlush = new Float64Array(K)
  const windowStart = new Float64Array(K).fill(START_MS)
  const windowSeq = new Float64Array(K)
  const urgentAt = new Float64Array(K).fill(Number.POSITIVE_INFINITY)
  const cells = new Float64Array(K * 2 * CELL)
  /** Control successes and latency-class requests expected so far in each window, drawn at the flush. */
  const pendingControl = new Float64Array(K)
  const pendingLatency = new Float64Array(K * 2 * CLASSES)
  if (lastErrorWindow.length < pop.users * K) lastErrorWindow = new Float64Array(pop.users * K)
  if (lastErrorStage.length < pop.users) lastErrorStage = new Float64Array(pop.users)
  let stageNumber = ++stages
  const firstBp = (plan.stages[0]?.percent ?? 0) * 100
  for (let i = 0; i < K; i++) {
    windowSeq[i] = ++windows
    servedBp[i] = firstBp
    nextFlush[i] = 1 + random.int(TRAFFIC.flush.everySec)
  }

  const flagKey = 'new-checkout'
  let monitor: RolloutMonitorState = RolloutMonitor.start(plan, START_MS, scenario.monitor)
  let raw = SequentialTest.create({ tolerance: plan.guard.tolerance })
  let units = SequentialTest.create({ tolerance: plan.guard.tolerance })
  /** What the store keeps: the unit hashes seen erring this stage, per arm. */
  const seen = [new Set<number>(), new Set<number>()]
  /** Per (instance, arm): the hashes of the units that erred in the current window, as the SDK lists them. */
  const windowUnits: number[][] = Array.from({ length: K * 2 }, () => [])
  const zStage = { nT: 0, nC: 0, bT: 0, bC: 0 }
  const alarmAt = -Math.log(plan.guard.alpha)
  const shadow: RunResult['shadow'] = { naiveZ: null, rawErrors: null, unitsPerWindow: null }
  let canary = 0
  let held = false
  let incident = 0
  let stopped: RunResult | null = null
  /** After a stop, the policy decides on fresh tests: the counterfactual rollout that did not stop. */
  const fresh = RolloutMonitor.start(plan, START_MS, scenario.monitor)
  const allFired = () =>
    shadow.naiveZ !== null && shadow.rawErrors !== null && shadow.unitsPerWindow !== null
  const finish = (outcome: Outcome, t: number, evidence?: StageEvidence): RunResult =>
    stopped ?? {
      outcome,
      atSec: t,
      canaryRequests: canary,
      stageIndex: monitor.stage.index,
      held,
      observedRatio: rateRatio(monitor),
      armRatio,
      cause: !evidence
        ? null
        : evidence.errorTest.alarm
          ? 'errors'
          : evidence.latency?.test.alarm
            ? 'latency'
            : 'sample ratio',
      shadow,
    }

  const treatedIn = (u: number, inst: number) =>
    (bucket[u] as number) < Math.min(10_000, (servedBp[inst] as number) * skew)
  const fails = (u: number, treated: boolean) => {
    const own = 1 - (1 - (pop.propensity[u] as number)) * (1 - incident)
    return treated ? own + (1 - own) * extraError : own
  }
  const recordError = (t: number, u: number, inst: number, arm: number) => {
    const cell = (inst * 2 + arm) * CELL
    cells[cell + 1] = (cells[cell + 1] as number) + 1
    const key = u * K + inst
    if (lastErrorWindow[key] !== windowSeq[inst]) {
      lastErrorWindow[key] = windowSeq[inst] as number
      cells[cell + 2] = (cells[cell + 2] as number) + 1
      ;(windowUnits[inst * 2 + arm] as number[]).push(unitHash(u, salt))
    }
    if (lastErrorStage[u] !== stageNumber) {
      lastErrorStage[u] = stageNumber
      cells[cell + 3] = (cells[cell + 3] as number) + 1
    }
    if (
      arm === T &&
      urgentAt[inst] === Number.POSITIVE_INFINITY &&
      (cells[cell + 1] as number) >= TRAFFIC.flush.urgentErrors
    ) {
      urgentAt[inst] = t + 1
    }
  }
  const expose = (inst: number, arm: number, n: number) => {
    const cell = (inst * 2 + arm) * CELL
    cells[cell] = (cells[cell] as number) + n
    if (arm === T) canary += n
  }
  /** A failed first attempt by `u` on `inst`, then the user's retries. */
  const failure = (t: number, u: number, inst: number, arm: number) => {
    expose(inst, arm, 1)
    recordError(t, u, inst, arm)
    const retry = pop.broken[u] ? TRAFFIC.retry.broken : TRAFFIC.retry.normal
    for (let attempt = 1; attempt <= retry.max; attempt++) {
      if (random.next() >= retry.chance) return
      const to = sticky ? u % K : random.int(K)
      const treated = treatedIn(u, to)
      const a = treated ? T : C
      expose(to, a, 1)
      if (random.next() >= retry.stickyFail + (1 - retry.stickyFail) * fails(u, treated)) return
      recordError(t, u, to, a)
    }
  }

  for (let t = 0; t < horizon; t++) {
    for (let i = 0; i < K; i++) {
      if ((pendingBp[i] as number) >= 0 && t >= (pendingAt[i] as number)) {
        servedBp[i] = pendingBp[i] as number
        pendingBp[i] = -1
      }
    }
    const surge = inside(surges, t) ? TRAFFIC.surge.factor : 1
    incident = inside(incidents, t) ? TRAFFIC.incident.errorRate : 0
    const day = (2 * Math.PI * t) / TRAFFIC.dayPeriodSec + phase

    // Instances disagree only for the few seconds a change takes to reach them all.
    let agreed = true
    for (let i = 1; i < K; i++) if (servedBp[i] !== servedBp[0]) agreed = false
    for (const group of groups) {
      const r = group.region
      const regionRate =
        (TRAFFIC.requestsPerSec / 3) *
        (1 + (TRAFFIC.regionAmplitude[r] ?? 0) * Math.sin(day + (2 * Math.PI * r) / 3)) *
        surge
      const n = group.users.length
      const shared = group.instance === -1
      // Either one pass for all the instances the group's requests spread over, or one per instance.
      const passes = shared && !agreed ? K : 1
      for (let pass = 0; pass < passes; pass++) {
        const inst = shared ? pass : group.instance
        const rate = shared ? regionRate / passes : regionRate
        const split = group.start[
          Math.min(10_000, Math.round((servedBp[inst] as number) * skew))
        ] as number
        for (let arm = T; arm <= C; arm++) {
          const from = arm === T ? 0 : split
          const to = arm === T ? split : n
          if (from === to) continue
          const w = (group.w[to] as number) - (group.w[from] as number)
          const wp = (group.wp[to] as number) - (group.wp[from] as number)
          const wq = (group.wq[to] as number) - (group.wq[from] as number)
          // First attempts fail for the user's own reasons (∝ w·p), or, succeeding
          // otherwise (∝ w·(1−p)), for a shared incident or treatment's extra errors.
          const extra = arm === T ? extraError : 0
          const ownMean = rate * wp
          const otherMean = rate * wq * (1 - (1 - incident) * (1 - extra))
          const successMean = Math.max(0, rate * w - ownMean - otherMean)
          const spread = shared && passes === 1
          const share = spread ? 1 / K : 1
          for (let i = spread ? 0 : inst; i < (spread ? K : inst + 1); i++) {
            if (arm === T) expose(i, T, random.poisson(successMean * share))
            else pendingControl[i] = (pendingControl[i] as number) + successMean * share
            if (scenario.latency) {
              for (let c = 0; c < CLASSES; c++) {
                const sums = group.wc[c] as Float64Array
                const cell = (i * 2 + arm) * CLASSES + c
                pendingLatency[cell] =
                  (pendingLatency[cell] as number) +
                  rate * share * ((sums[to] as number) - (sums[from] as number))
              }
            }
          }
          for (let k = random.poisson(ownMean); k > 0; k--) {
            const u = drawUser(random, group, group.wp, from, to)
            failure(t, u, spread ? random.int(K) : inst, arm)
          }
          for (let k = random.poisson(otherMean); k > 0; k--) {
            const u = drawUser(random, group, group.wq, from, to)
            failure(t, u, spread ? random.int(K) : inst, arm)
          }
        }
      }
    }

    for (let i = 0; i < K; i++) {
      if (t < (nextFlush[i] as number) && t < (urgentAt[i] as number)) continue
      const nowMs = START_MS + (t + 1) * 1000
      expose(i, C, random.poisson(pendingControl[i] as number))
      pendingControl[i] = 0
      if (scenario.latency) {
        for (let arm = T; arm <= C; arm++) {
          const cell = (i * 2 + arm) * CELL
          for (let c = 0; c < CLASSES; c++) {
            const at = (i * 2 + arm) * CLASSES + c
            const mean = pendingLatency[at] as number
            pendingLatency[at] = 0
            const classShares = (shares[arm === T ? 1 : 0] as Float64Array[])[c] as Float64Array
            for (let b = 0; b < BUCKETS; b++) {
              cells[cell + 4 + b] =
                (cells[cell + 4 + b] as number) + random.poisson(mean * (classShares[b] as number))
            }
          }
        }
      }
      const batch = toBatch(
        cells,
        windowUnits,
        i,
        flagKey,
        plan,
        windowStart[i] as number,
        nowMs,
        scenario.latency,
      )
      const tCell = i * 2 * CELL
      const cCell = (i * 2 + 1) * CELL
      units = SequentialTest.update(units, {
        treatmentExposures: cells[tCell] as number,
        controlExposures: cells[cCell] as number,
        treatmentBad: cells[tCell + 2] as number,
        controlBad: cells[cCell + 2] as number,
      })
      if (shadow.unitsPerWindow === null && units.peakLogStatistic >= alarmAt) {
        shadow.unitsPerWindow = canary
      }
      raw = SequentialTest.update(raw, {
        treatmentExposures: cells[tCell] as number,
        controlExposures: cells[cCell] as number,
        treatmentBad: cells[tCell + 1] as number,
        controlBad: cells[cCell + 1] as number,
      })
      if (shadow.rawErrors === null && raw.peakLogStatistic >= alarmAt) shadow.rawErrors = canary
      zStage.nT += cells[tCell] as number
      zStage.nC += cells[cCell] as number
      zStage.bT += cells[tCell + 2] as number
      zStage.bC += cells[cCell + 2] as number
      if (shadow.naiveZ === null && naiveZ(zStage) >= Z_99) shadow.naiveZ = canary
      cells.fill(0, i * 2 * CELL, (i + 1) * 2 * CELL)
      ;(windowUnits[i * 2 + T] as number[]).length = 0
      ;(windowUnits[i * 2 + C] as number[]).length = 0
      windowStart[i] = nowMs
      windowSeq[i] = ++windows
      urgentAt[i] = Number.POSITIVE_INFINITY
      nextFlush[i] =
        t +
        TRAFFIC.flush.everySec +
        random.int(2 * TRAFFIC.flush.jitterSec + 1) -
        TRAFFIC.flush.jitterSec

      // What the controller does with a batch: the store says which listed
      // units are new this stage, FirstErrors recounts, the monitor folds.
      const newUnits: Record<string, number> = {}
      for (const [arm, variant] of [
        [T, plan.treatment],
        [C, plan.control],
      ] as const) {
        let n = 0
        for (const h of batch.flags[flagKey]?.[variant]?.errorUnitHashes ?? []) {
          const known = seen[arm] as Set<number>
          if (!known.has(h)) {
            known.add(h)
            n++
          }
        }
        newUnits[variant] = n
      }
      const counted = FirstErrors.apply(batch, flagKey, plan, newUnits)
      monitor = RolloutMonitor.observe(
        monitor,
        counted.batch,
        { flagKey, plan },
        { firstErrorsPerStage: counted.firstErrorsPerStage },
      )

      const decision = RolloutMonitor.decide(
        stopped
          ? {
              ...monitor,
              errors: fresh.errors,
              latency: fresh.latency,
              sampleRatio: fresh.sampleRatio,
            }
          : monitor,
        plan,
        nowMs,
      )
      switch (decision.action) {
        case 'revert':
        case 'pause':
          stopped = finish(decision.action, t + 1, decision.evidence)
          if (!scenario.shadows) return stopped
          break
        case 'complete':
          return finish('complete', t + 1)
        case 'hold':
          held = true
          break
        case 'promote': {
          const next = monitor.stage.index + 1
          monitor = RolloutMonitor.enterStage(monitor, next, nowMs)
          for (const known of seen) known.clear()
          zStage.nT = zStage.nC = zStage.bT = zStage.bC = 0
          stageNumber = ++stages
          const bp = (plan.stages[next]?.percent ?? 0) * 100
          const [lo, hi] = TRAFFIC.propagationSec
          for (let k = 0; k < K; k++) {
            pendingBp[k] = bp
            pendingAt[k] = t + lo + random.next() * (hi - lo)
          }
          break
        }
        case 'continue':
          break
      }
      if (stopped && allFired()) return stopped
    }
  }
  return finish('timeout', horizon)
}

function toBatch(
  cells: Float64Array,
  windowUnits: number[][],
  instance: number,
  flagKey: string,
  plan: RolloutPlan,
  start: number,
  end: number,
  latency: boolean,
): SignalsBatch {
  return {
    sdk: { name: 'simulated', version: '0', instanceId: `instance-${instance}` },
    window: { start, end },
    flags: {
      [flagKey]: {
        [plan.treatment]: variantSignals(
          cells,
          windowUnits[instance * 2 + T] as number[],
          (instance * 2 + T) * CELL,
          latency,
        ),
        [plan.control]: variantSignals(
          cells,
          windowUnits[instance * 2 + C] as number[],
          (instance * 2 + C) * CELL,
          latency,
        ),
      },
    },
  }
}

function variantSignals(
  cells: Float64Array,
  units: number[],
  at: number,
  latency: boolean,
): VariantSignals {
  const exposures = cells[at] as number
  const errors = cells[at + 1] as number
  // As the SDK lists them: the smallest hashes, at most MAX_ERROR_UNIT_HASHES.
  const listed = [...units].sort((a, b) => a - b).slice(0, MAX_ERROR_UNIT_HASHES)
  const signals: VariantSignals = {
    exposures,
    successes: exposures - errors,
    errors,
    errorUnits: cells[at + 2] as number,
    errorUnitHashes: listed,
    errorUnitHashesDropped: units.length - listed.length,
  }
  if (latency) {
    const buckets = Array.from(cells.subarray(at + 4, at + 4 + BUCKETS))
    let count = 0
    let sumMs = 0
    let maxMs = 0
    for (let b = 0; b < BUCKETS; b++) {
      const n = buckets[b] as number
      const ms = LATENCY_BUCKETS_MS[b] ?? 20_000
      count += n
      sumMs += n * ms
      if (n > 0) maxMs = ms
    }
    signals.latencyMs = { count, sumMs, maxMs, buckets }
  }
  return signals
}

/** A unit's 32-bit hash under a run's salt, standing in for the SDK's MurmurHash3 of its id. */
function unitHash(u: number, salt: number): number {
  let h = Math.imul(u ^ salt, 0x85eb_ca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2_ae35)
  return (h ^ (h >>> 16)) >>> 0
}

function rateRatio(monitor: RolloutMonitorState): number {
  const { treatment, control } = monitor.stage.counts
  return treatment.bad / treatment.exposures / (control.bad / control.exposures)
}

function firstArmRatio(groups: Group[], plan: RolloutPlan): number {
  const split = Math.round((plan.stages[0]?.percent ?? 0) * 100)
  const sums = [0, 0, 0, 0]
  for (const group of groups) {
    // Weights are shares of a region; regions carry a third of the traffic each.
    const at = group.start[split] as number
    const n = group.users.length
    sums[0] = (sums[0] as number) + (group.wp[at] as number)
    sums[1] = (sums[1] as number) + (group.w[at] as number)
    sums[2] = (sums[2] as number) + (group.wp[n] as number) - (group.wp[at] as number)
    sums[3] = (sums[3] as number) + (group.w[n] as number) - (group.w[at] as number)
  }
  return (sums[0] as number) / (sums[1] as number) / ((sums[2] as number) / (sums[3] as number))
}

/** The pooled two-proportion z statistic a naive dashboard would check after every batch. */
function naiveZ(s: { nT: number; nC: number; bT: number; bC: number }): number {
  if (s.nT === 0 || s.nC === 0) return 0
  const pooled = (s.bT + s.bC) / (s.nT + s.nC)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / s.nT + 1 / s.nC))
  return se > 0 ? (s.bT / s.nT - s.bC / s.nC) / se : 0
}
