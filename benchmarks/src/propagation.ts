import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { packageRoot } from './packageRoot'

/** How one SDK, left at its defaults, learns that a flag changed. */
export interface PropagationEntry {
  product: string
  /** The package whose defaults are described. */
  packageName: string
  /** Set when the package is a dependency of another one (not a direct dependency of the benchmarks). */
  via?: string
  side: 'server' | 'browser'
  /** The default update mechanism. */
  mechanism: string
  /** How long a change can take to reach a running SDK with those defaults. */
  worstCase: string
  /** Where the default is written down, inside the installed package. */
  source: {
    file: string
    /** Text that must occur in that file: the bench fails if a new version no longer says it. */
    evidence: string
  }
}

/** The peers' defaults, read from their own packages. */
export const PEER_PROPAGATION: readonly PropagationEntry[] = [
  {
    product: 'Unleash',
    packageName: 'unleash-client',
    side: 'server',
    mechanism: 'polling (streaming is an opt-in `experimentalMode`)',
    worstCase: '15 s',
    source: { file: 'lib/unleash.js', evidence: 'refreshInterval = 15 * 1000' },
  },
  {
    product: 'Unleash',
    packageName: 'unleash-proxy-client',
    side: 'browser',
    mechanism: 'polling',
    worstCase: '30 s',
    source: { file: 'README.md', evidence: '| refreshInterval   | no | `30` |' },
  },
  {
    product: 'GrowthBook',
    packageName: '@growthbook/growthbook',
    side: 'server',
    mechanism:
      'none after `init()`: its SSE stream needs an `EventSource`, which Node 20 lacks (opt in with a polyfill or `pollingInterval`)',
    worstCase: 'until `refreshFeatures()`',
    source: {
      file: 'dist/esm/feature-repository.mjs',
      evidence: 'In Node.js, install the `eventsource` package',
    },
  },
  {
    product: 'GrowthBook',
    packageName: '@growthbook/growthbook',
    side: 'browser',
    mechanism: 'SSE stream, when the API host supports it (GrowthBook Cloud or Proxy)',
    worstCase: 'push',
    source: {
      file: 'README.md',
      evidence:
        'By default, the SDK will open a streaming connection using Server-Sent Events (SSE)',
    },
  },
  {
    product: 'LaunchDarkly',
    packageName: '@launchdarkly/js-server-sdk-common',
    via: '@launchdarkly/node-server-sdk',
    side: 'server',
    mechanism: 'SSE stream',
    worstCase: 'push',
    source: {
      file: 'dist/index.d.ts',
      evidence: 'This is true by default. If you set it to false, the client will use polling.',
    },
  },
  {
    product: 'LaunchDarkly',
    packageName: '@launchdarkly/js-client-sdk',
    side: 'browser',
    mechanism: 'SSE stream only once the app subscribes to `change` events; otherwise none',
    worstCase: 'next page load without a `change` listener',
    source: {
      file: 'dist/index.d.ts',
      evidence: 'If you leave the value undefined (the default), the client will open a streaming',
    },
  },
  {
    product: 'Flagsmith',
    packageName: 'flagsmith-nodejs',
    side: 'server',
    mechanism: 'polling the environment document (local evaluation)',
    worstCase: '60 s',
    source: { file: 'build/esm/sdk/index.js', evidence: 'environmentRefreshIntervalSeconds = 60;' },
  },
  {
    product: 'Flagsmith',
    packageName: 'flagsmith',
    side: 'browser',
    mechanism: 'none; polling only after `startListening(ms)`, SSE only with `realtime: true`',
    worstCase: 'next `getFlags()` or page load',
    source: { file: 'types.d.ts', evidence: 'Polls the flagsmith API, specify interval in ms' },
  },
  {
    product: 'OpenFeature flagd',
    packageName: '@openfeature/flagd-provider',
    side: 'server',
    mechanism:
      'gRPC stream: default `rpc` resolver evaluates on flagd and clears its cache on `configuration_change`; `in-process` receives the sync stream',
    worstCase: 'push',
    source: {
      file: 'README.md',
      evidence: '| resolverType          | FLAGD_RESOLVER                 | string   | rpc',
    },
  },
  {
    product: 'OpenFeature flagd',
    packageName: '@openfeature/flagd-web-provider',
    side: 'browser',
    mechanism: 'gRPC-web event stream; refetches all flags on `configuration_change`',
    worstCase: 'push',
    source: { file: 'index.esm.js', evidence: 'this._callbackClient.eventStream(' },
  },
]

/** A propagation entry with the installed versions it was checked against. */
export interface CheckedPropagation extends PropagationEntry {
  version: string
  /** The version of `via`, when set. */
  viaVersion?: string
}

/**
 * Checks every entry against the installed package: the cited file must
 * still contain the cited text. Throws on the first mismatch, so the table
 * never describes a version that is not the one installed.
 */
export function checkPropagation(entries: readonly PropagationEntry[]): CheckedPropagation[] {
  return entries.map((entry) => {
    const dir = installedPackageDir(entry.packageName, entry.via)
    const text = readFileSync(join(dir, entry.source.file), 'utf8')
    if (!text.includes(entry.source.evidence)) {
      throw new Error(
        `${entry.packageName}/${entry.source.file} no longer contains "${entry.source.evidence}": update the propagation table`,
      )
    }
    return {
      ...entry,
      version: versionIn(dir),
      ...(entry.via ? { viaVersion: versionIn(installedPackageDir(entry.via)) } : {}),
    }
  })
}

function versionIn(dir: string): string {
  return String(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version)
}

/** The directory of an installed package, or of a dependency of one (pnpm keeps those beside it). */
function installedPackageDir(name: string, via?: string): string {
  const direct = join(packageRoot(), 'node_modules', name)
  if (!via) return direct
  let dir = realpathSync(join(packageRoot(), 'node_modules', via))
  while (!dir.endsWith('node_modules')) {
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  const sibling = join(dir, name)
  if (!existsSync(sibling)) throw new Error(`cannot find ${name} next to ${via}`)
  return sibling
}
