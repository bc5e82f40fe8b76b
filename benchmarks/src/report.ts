import type { BundleSize } from './bundles/bundleSize'
import { FLAG_LABELS, FLAGS, type FlagName } from './population'
import type { CheckedPropagation } from './propagation'
import type { ColdStartSummary, EvaluationSummary, PushRun, SuiteResult } from './results'
import { EXPECTED_SHARES, SHARE_TOLERANCE_PP } from './shares'
import { median, quantile } from './stats'

/** The adapter and bundle id every ratio is taken against. */
export const FLOODGATE_ID = 'floodgate'

/** The command that reproduces the tables. */
export const BENCH_COMMAND = 'pnpm --filter @floodgate/benchmarks bench'

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

function table(
  headers: string[],
  rows: string[][],
  numericFrom = Number.POSITIVE_INFINITY,
): string {
  const align = headers.map((_, i) => (i >= numericFrom ? '--:' : '---'))
  return [headers, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
}

/** Floodgate first, then the peers by id. */
function floodgateFirst<T>(items: readonly T[], id: (item: T) => string): T[] {
  const rank = (item: T) => (id(item) === FLOODGATE_ID ? '' : id(item))
  return [...items].sort((a, b) => rank(a).localeCompare(rank(b)))
}

function ns(value: number): string {
  return value < 100 ? value.toFixed(1) : integer.format(value)
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1)
}

function bytes(value: number): string {
  return Number.isFinite(value) ? integer.format(Math.round(value)) : 'n/a'
}

function mib(value: number): string {
  return (value / 2 ** 20).toFixed(0)
}

function ratio(value: number, reference: number | undefined): string {
  if (reference === undefined || reference <= 0) return '—'
  const r = value / reference
  return `${r < 10 ? r.toFixed(1) : r.toFixed(0)}×`
}

function percent(share: number): string {
  return `${(share * 100).toFixed(2)} %`
}

function withRatio(text: string, value: number, reference: number | undefined): string {
  return reference === undefined ? text : `${text} (${ratio(value, reference)})`
}

/** Renders every table of a run as markdown. */
export function renderReport(result: SuiteResult): string {
  const { machine, options } = result
  const parts: string[] = []
  if (result.note) parts.push(`> ${result.note}`)
  parts.push(
    `Measured ${result.startedAt.slice(0, 10)} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ` +
      `with \`${BENCH_COMMAND}\` (${options.rounds} rounds, ${integer.format(options.users)} users, ` +
      `${options.coldRuns} cold starts per SDK) in ${Math.round(result.durationSeconds)} s. ` +
      'Raw figures: `benchmarks/results/latest.json`. Once Floodgate’s adapter runs, each figure also shows its ratio to Floodgate’s (the SDK’s ÷ Floodgate’s).',
  )
  if (result.evaluation) parts.push(renderEvaluation(result.evaluation.summary, options))
  if (result.coldStart) parts.push(renderColdStart(result.coldStart.summary, options.coldRuns))
  if (result.bundles) parts.push(renderBundles(result.bundles))
  if (result.propagation) parts.push(renderPropagation(result.propagation))
  if (result.push) parts.push(renderPush(result.push))
  const goals = renderGoals(result)
  if (goals) parts.push(goals)
  return `${parts.join('\n\n')}\n`
}

function renderEvaluation(unordered: EvaluationSummary[], options: SuiteResult['options']): string {
  const summary = floodgateFirst(unordered, (s) => s.adapter)
  const floodgate = summary.find((s) => s.adapter === FLOODGATE_ID)
  const peers = summary.filter((s) => s.adapter !== FLOODGATE_ID)
  const fastestPeer = Object.fromEntries(
    FLAGS.map((flag) => [flag, Math.min(...peers.map((s) => s.flags[flag].nsPerOp))]),
  ) as Record<FlagName, number>
  const speedRows = summary.map((s) => [
    s.name,
    `${s.packageName} ${s.version}`,
    s.mode,
    integer.format(Math.min(...FLAGS.map((flag) => s.flags[flag].evaluations))),
    ...FLAGS.map((flag) => {
      const value = s.flags[flag].nsPerOp
      const text = value === fastestPeer[flag] ? `**${ns(value)}**` : ns(value)
      return withRatio(text, value, floodgate?.flags[flag].nsPerOp)
    }),
  ])
  const shareRows = summary.map((s) => [
    s.name,
    ...FLAGS.map((flag) => percent(s.flags[flag].enabledShare)),
  ])
  const memoryRows = summary.map((s) => [
    s.name,
    ...FLAGS.map((flag) => bytes(s.flags[flag].allocatedBytesPerOp)),
    Math.max(...FLAGS.map((flag) => s.flags[flag].retainedBytesPerOp)).toFixed(2),
    mib(s.peakRssBytes),
    mib(Math.max(0, s.peakRssBytes - s.baselineRssBytes)),
  ])
  // The two groups are the same size, so the overall share is their mean.
  const expected = (flag: FlagName) => {
    const e = EXPECTED_SHARES[flag]
    return `${FLAG_LABELS[flag]} (${((e.targeted + e.other) * 50).toFixed(1)} %)`
  }
  return [
    `### Evaluation speed (ns per evaluation, median of ${options.rounds} rounds)`,
    `One process per SDK per round (\`node --expose-gc\`), SDK order reversed every other round. Per flag: a warm-up on up to ${integer.format(options.warmup)} users (at most ${options.warmupMs} ms), then one timed pass over the ${integer.format(options.users)} users with each SDK’s context built beforehand, cut short after ${options.maxPassMs} ms (the users column shows the fewest a pass covered). **Bold**: fastest peer. \`async\`: the SDK’s only evaluation call returns a promise, which the harness awaits.`,
    table(
      ['SDK', 'package', 'call', 'users', ...FLAGS.map((flag) => FLAG_LABELS[flag])],
      speedRows,
      3,
    ),
    `### Enabled share (checked per group within ± ${SHARE_TOLERANCE_PP} pp)`,
    'Every round checks, separately for users inside and outside the five countries, that each SDK enabled the expected share, and the run fails otherwise; the table shows the overall share of the last round.',
    table(['SDK', ...FLAGS.map(expected)], shareRows, 1),
    '### Memory',
    'Allocated: heap bytes per evaluation, measured on short batches that start after a young-generation GC and are discarded if a GC ran inside them. Retained: heap growth across the timed pass after a full GC, per evaluation (the worst of the three flags). Peak RSS: the process high-water mark, including the users and their contexts; above baseline: peak minus the RSS once users and contexts existed, before the SDK started.',
    table(
      [
        'SDK',
        ...FLAGS.map((flag) => `allocated B/eval, ${FLAG_LABELS[flag]}`),
        'retained B/eval',
        'peak RSS (MiB)',
        'above baseline (MiB)',
      ],
      memoryRows,
      1,
    ),
  ].join('\n\n')
}

function renderColdStart(unordered: ColdStartSummary[], runs: number): string {
  const summary = floodgateFirst(unordered, (s) => s.adapter)
  const floodgate = summary.find((s) => s.adapter === FLOODGATE_ID)
  const rows = summary.map((s) => [
    s.name,
    `${s.packageName} ${s.version}`,
    ms(s.importMs),
    ms(s.startMs),
    ms(s.firstEvaluationMs),
    withRatio(ms(s.readyMs), s.readyMs, floodgate?.readyMs),
  ])
  return [
    `### Cold start (ms, median of ${runs} fresh processes)`,
    'Import: loading the SDK’s modules. Construct: creating the client on the local definitions until it can evaluate (file read and parse included). First evaluation: the country rule + canary flag for one user. Ready = construct + first evaluation.',
    table(['SDK', 'package', 'import', 'construct', 'first evaluation', 'ready'], rows, 2),
  ].join('\n\n')
}

function renderBundles(sizes: BundleSize[]): string {
  const ids = floodgateFirst([...new Set(sizes.map((s) => s.id))], (id) => id)
  const find = (id: string, kind: BundleSize['kind']) =>
    sizes.find((s) => s.id === id && s.kind === kind)
  const reference = find(FLOODGATE_ID, 'react')?.gzipBytes
  const rows = ids.map((id) => {
    const react = find(id, 'react')
    const core = find(id, 'core')
    const packages = (react ?? core)?.packages.map((p) => `${p.name} ${p.version}`).join(', ')
    return [
      bundleLabel(id),
      packages ?? '',
      react ? bytes(react.minifiedBytes) : '—',
      react ? withRatio(bytes(react.gzipBytes), react.gzipBytes, reference) : '—',
      react ? bytes(react.brotliBytes) : '—',
      core ? bytes(core.minifiedBytes) : '—',
      core ? bytes(core.gzipBytes) : '—',
    ]
  })
  return [
    '### Browser bundles (bytes)',
    'A tiny app per SDK (`benchmarks/src/bundles/entries/`): create the client, read one flag through the React binding (`<id>.tsx`) or the SDK alone (`<id>.core.ts`). esbuild, minified ESM for the browsers Vite 7 targets by default (Chrome/Edge 107, Firefox 104, Safari 16), `NODE_ENV=production`, `react`/`react-dom` external; gzip level 9, brotli quality 11. The OpenFeature row uses the web SDK’s in-memory provider, so it carries no network code; the flagd row adds the provider a flagd user needs.',
    table(
      [
        'SDK',
        'packages (React entry)',
        'with React: min',
        'gzip',
        'brotli',
        'SDK alone: min',
        'gzip',
      ],
      rows,
      2,
    ),
  ].join('\n\n')
}

const BUNDLE_LABELS: Record<string, string> = {
  floodgate: 'Floodgate',
  unleash: 'Unleash',
  growthbook: 'GrowthBook',
  launchdarkly: 'LaunchDarkly',
  flagsmith: 'Flagsmith',
  openfeature: 'OpenFeature (in-memory provider)',
  'openfeature-flagd': 'OpenFeature + flagd web provider',
}

function bundleLabel(id: string): string {
  return BUNDLE_LABELS[id] ?? id
}

function renderPropagation(entries: CheckedPropagation[]): string {
  const rows = entries.map((e) => [
    e.product,
    e.via ? `${e.via} ${e.viaVersion}` : `${e.packageName} ${e.version}`,
    e.side,
    e.mechanism,
    e.worstCase,
    `\`${e.packageName}/${e.source.file}\``,
  ])
  return [
    '### Propagation: how a change reaches a running SDK, by default',
    'Each default was read in the installed package; the bench checks that the cited file still says so. “Push”: the change is sent over an open stream, so its delay is the network’s, not a timer’s.',
    table(['SDK', 'package', 'side', 'default mechanism', 'worst-case delay', 'source'], rows),
  ].join('\n\n')
}

function renderPush(unordered: PushRun[]): string {
  const runs = floodgateFirst(unordered, (r) => r.rig)
  const reference = runs.find((r) => r.rig === FLOODGATE_ID)
  const referenceAll = reference && median(reference.allMs)
  const rows = runs.map((r) => {
    const all = median(r.allMs)
    return [
      r.name,
      `${r.packageName} ${r.version}`,
      r.serverSide,
      integer.format(r.clients),
      withRatio(ms(all), all, referenceAll),
      ms(quantile(r.allMs, 0.99)),
      ms(median(r.eachMs)),
    ]
  })
  const first = runs[0]
  return [
    `### Push: a change until every streaming client serves it (ms, ${first ? `${first.changes} changes` : 'no runs'})`,
    'One process per row: a local server and its clients on 127.0.0.1, the clock started just before the change request and stopped when the last client’s evaluation returns the new value. Each SDK first runs on a minimal endpoint of its own stream protocol, so the rows compare SDKs on the same footing; Floodgate’s also runs on its real server, where the figure includes the admin request, the durable commit and the audit entry. The polling peers above take up to their interval (15–60 s) instead.',
    table(
      [
        'SDK',
        'package',
        'server side',
        'clients',
        'all clients, median',
        'all clients, p99',
        'one client, median',
      ],
      rows,
      3,
    ),
  ].join('\n\n')
}

function renderGoals(result: SuiteResult): string | undefined {
  const rows: string[][] = []
  const evaluation = result.evaluation?.summary ?? []
  const floodgate = evaluation.find((s) => s.adapter === FLOODGATE_ID)
  const peers = evaluation.filter((s) => s.adapter !== FLOODGATE_ID)
  if (floodgate && peers.length > 0) {
    for (const flag of FLAGS) {
      const best = peers.reduce((a, b) => (b.flags[flag].nsPerOp < a.flags[flag].nsPerOp ? b : a))
      const r = best.flags[flag].nsPerOp / floodgate.flags[flag].nsPerOp
      rows.push([
        `evaluation ≥ 3× faster than the fastest peer: ${FLAG_LABELS[flag]}`,
        `${best.name} ${ns(best.flags[flag].nsPerOp)} ns`,
        `${ns(floodgate.flags[flag].nsPerOp)} ns`,
        `${r.toFixed(1)}×`,
        r >= 3 ? 'met' : '**missed**',
      ])
    }
  }
  const bundles = (result.bundles ?? []).filter((b) => b.kind === 'react')
  const ours = bundles.find((b) => b.id === FLOODGATE_ID)
  const others = bundles.filter((b) => b.id !== FLOODGATE_ID)
  if (ours && others.length > 0) {
    const best = others.reduce((a, b) => (b.gzipBytes < a.gzipBytes ? b : a))
    rows.push([
      'smallest browser bundle (with React, gzip)',
      `${bundleLabel(best.id)} ${bytes(best.gzipBytes)} B`,
      `${bytes(ours.gzipBytes)} B`,
      `${(best.gzipBytes / ours.gzipBytes).toFixed(2)}×`,
      ours.gzipBytes < best.gzipBytes ? 'met' : '**missed**',
    ])
  }
  const push = result.push ?? []
  // Judged like for like: every SDK on a minimal endpoint of its own protocol.
  const oursRun = push.find((r) => r.rig === FLOODGATE_ID)
  const peerPush = push.filter((r) => r.sdk !== FLOODGATE_ID)
  if (oursRun && peerPush.length > 0) {
    const oursPush = median(oursRun.allMs)
    const best = peerPush.reduce((a, b) => (median(b.allMs) < median(a.allMs) ? b : a))
    const theirs = median(best.allMs)
    rows.push([
      'fastest propagation (push until every client serves it, median)',
      `${best.name} ${ms(theirs)} ms`,
      `${ms(oursPush)} ms`,
      `${(theirs / oursPush).toFixed(2)}×`,
      oursPush < theirs ? 'met' : '**missed**',
    ])
  }
  if (rows.length === 0) return undefined
  return [
    '### Goals',
    table(['goal', 'best peer', 'Floodgate', 'peer ÷ Floodgate', ''], rows),
  ].join('\n\n')
}
