import type { FlagConfig } from '@floodgate/core'
import { Command, Option } from 'commander'
import type { AuditPage } from '../store/store'
import type { Environment, StoredFlag, StoredFlagConfig, TokenRecord } from '../types'
import { ApiClient, ApiError } from './apiClient'
import { addDeliveryMetricsCommand } from './deliveryMetricsCommand'
import { addRolloutCommands } from './rolloutCommands'
import { runServe, type ServeOptions } from './serveCommand'
import { formatTable } from './table'
import { addWebhooksCommand } from './webhooksCommand'

/** Where the CLI writes and what environment it reads (injectable for tests). */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  env: Record<string, string | undefined>
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
}

type ConfigResponse = StoredFlagConfig & { environmentVersion: number; changed?: boolean }

/** `25% on`, `on`, or `split` for other serves: what a fallthrough gives to whom. */
function describeServe(config: FlagConfig): string {
  const serve = config.fallthrough
  if ('variant' in serve) return serve.variant
  const [first, second] = serve.split
  if (serve.split.length === 2 && first && second) return `${first.weight / 100}% ${first.variant}`
  return serve.split.map((w) => `${w.weight / 100}% ${w.variant}`).join(' / ')
}

function describeState(config: FlagConfig): string {
  if (config.killed) return 'KILLED'
  return config.enabled ? 'on' : 'off'
}

/**
 * The `floodgate` command tree. `rollout <flag> <percent>` is the `rollout`
 * command's own action, so subcommands (`rollout start`, `rollout status`, …)
 * can be added next to it.
 *
 * @example
 * await createProgram().parseAsync(process.argv)
 */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('floodgate')
    .description('Feature flags and progressive delivery: server and admin CLI')
    .option('--url <url>', 'server URL (env FLOODGATE_URL)')
    .option('--token <token>', 'admin token (env FLOODGATE_TOKEN)')
    .option('--json', 'print JSON for scripts')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    })

  const globals = (command: Command) => {
    const o = command.optsWithGlobals<{ url?: string; token?: string; json?: boolean }>()
    return {
      api: new ApiClient(
        o.url ?? io.env.FLOODGATE_URL ?? 'http://127.0.0.1:4242',
        o.token ?? io.env.FLOODGATE_TOKEN,
      ),
      json: o.json === true,
    }
  }
  const print = (json: boolean, value: unknown, human: () => string) =>
    io.out(json ? JSON.stringify(value, null, 2) : human())
  const envOption = () =>
    new Option('--env <env>', 'environment (env FLOODGATE_ENV)').default(
      io.env.FLOODGATE_ENV ?? 'production',
    )
  const configPath = (env: string, flag: string, action = '') =>
    `/v1/admin/environments/${encodeURIComponent(env)}/flags/${encodeURIComponent(flag)}${action}`
  const printConfig = (json: boolean, result: ConfigResponse) =>
    print(json, result, () => {
      const c = result.config
      const state = describeState(c)
      const note = result.changed === false ? ' (unchanged)' : ''
      return `${result.flagKey} in ${result.environment}: ${state}, serving ${describeServe(c)}${c.killReason && c.killed ? ` (reason: ${c.killReason})` : ''} - version ${result.version}, environment version ${result.environmentVersion}${note}`
    })

  program
    .command('serve')
    .description('run the Floodgate server')
    .addOption(
      new Option('--port <port>', 'port to listen on').env('FLOODGATE_PORT').default('4242'),
    )
    .addOption(
      new Option('--host <host>', 'interface to listen on')
        .env('FLOODGATE_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option(
        '--db <url-or-file>',
        'postgres://… URL, or SQLite database file (env DATABASE_URL too; default ./floodgate.db)',
      ).env('FLOODGATE_DB'),
    )
    .addOption(
      new Option('--log-level <level>', 'pino log level')
        .env('FLOODGATE_LOG_LEVEL')
        .default('info'),
    )
    .addOption(
      new Option('--max-streams <n>', 'cap on open SSE streams').env('FLOODGATE_MAX_STREAMS'),
    )
    .option('--demo', 'seed a demo flag and tokens and print them')
    .action(async (options: ServeOptions) => {
      await runServe(options, io)
    })

  const flags = program.command('flags').description('flag definitions')
  flags
    .command('list')
    .description('list flags')
    .action(async (_o, command: Command) => {
      const { api, json } = globals(command)
      const result = await api.request<{ flags: StoredFlag[] }>('GET', '/v1/admin/flags')
      print(json, result, () =>
        formatTable(
          ['KEY', 'KIND', 'CLIENT-SIDE', 'VARIANTS', 'DESCRIPTION'],
          result.flags.map((f) => [
            f.key,
            f.kind,
            f.clientSide ? 'yes' : 'no',
            Object.keys(f.variants).join(','),
            f.description,
          ]),
        ),
      )
    })
  flags
    .command('get <key>')
    .description('show a flag and its configuration in every environment')
    .action(async (key: string, _o, command: Command) => {
      const { api, json } = globals(command)
      const flag = await api.request<StoredFlag>(
        'GET',
        `/v1/admin/flags/${encodeURIComponent(key)}`,
      )
      const { environments } = await api.request<{ environments: Environment[] }>(
        'GET',
        '/v1/admin/environments',
      )
      const configs = await Promise.all(
        environments.map((e) => api.request<ConfigResponse>('GET', configPath(e.name, key))),
      )
      print(json, { ...flag, configurations: configs }, () =>
        [
          `${flag.key} (${flag.kind})${flag.description ? ` - ${flag.description}` : ''}`,
          `variants: ${Object.entries(flag.variants)
            .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
            .join(
              ', ',
            )}; off variant: ${flag.offVariant}; client-side: ${flag.clientSide ? 'yes' : 'no'}`,
          '',
          formatTable(
            ['ENV', 'STATE', 'SERVING', 'RULES', 'VERSION'],
            configs.map((c) => [
              c.environment,
              describeState(c.config),
              describeServe(c.config),
              String(c.config.rules.length),
              String(c.version),
            ]),
          ),
        ].join('\n'),
      )
    })
  flags
    .command('create <key>')
    .description('create a flag (disabled in every environment)')
    .addOption(
      new Option('--kind <kind>', 'flag kind')
        .choices(['boolean', 'string', 'number', 'json'])
        .default('boolean'),
    )
    .option('--variants <json>', 'variants as a JSON object (not for boolean flags)')
    .option('--off-variant <name>', 'variant served when off or killed')
    .option('--description <text>', 'description')
    .option('--tags <list>', 'comma-separated tags')
    .option('--client-side', 'browsers (client tokens) may see this flag')
    .action(
      async (key: string, o: Record<string, string | boolean | undefined>, command: Command) => {
        const { api, json } = globals(command)
        let variants: unknown
        if (typeof o.variants === 'string') {
          try {
            variants = JSON.parse(o.variants)
          } catch {
            throw new ApiError('--variants must be a JSON object such as {"a":"x","b":"y"}')
          }
        }
        const body = {
          key,
          kind: o.kind,
          ...(variants === undefined ? {} : { variants }),
          ...(o.offVariant === undefined ? {} : { offVariant: o.offVariant }),
          ...(o.description === undefined ? {} : { description: o.description }),
          ...(typeof o.tags === 'string' ? { tags: o.tags.split(',').filter(Boolean) } : {}),
          ...(o.clientSide ? { clientSide: true } : {}),
        }
        const flag = await api.request<StoredFlag>('POST', '/v1/admin/flags', body)
        print(json, flag, () => `created ${flag.key} (${flag.kind}), disabled in every environment`)
      },
    )
  flags
    .command('delete <key>')
    .description('delete a flag in every environment')
    .action(async (key: string, _o, command: Command) => {
      const { api, json } = globals(command)
      await api.request('DELETE', `/v1/admin/flags/${encodeURIComponent(key)}`)
      print(json, { deleted: key }, () => `deleted ${key}`)
    })

  const rollout = program
    .command('rollout')
    .description(
      'set the share of units served the treatment (the fallthrough split), or run a staged rollout (start, status, …)',
    )
    .argument('<flag>', 'flag key')
    .argument('<percent>', '0-100, at most two decimals')
    .addOption(envOption())
    .option('--treatment <variant>', 'treatment variant (default on, or the current split)')
    .option('--control <variant>', 'control variant (default off, or the current split)')
    .option('--by <attribute>', 'attribute to hash (default the current split, else userId)')
    .option('--reason <text>', 'why, for the audit log')
    .action(
      async (
        flag: string,
        percent: string,
        o: Record<string, string | undefined>,
        command: Command,
      ) => {
        const { api, json } = globals(command)
        const value = Number(percent)
        if (percent.trim() === '' || !Number.isFinite(value)) {
          throw new ApiError(`<percent> must be a number from 0 to 100, not "${percent}"`)
        }
        const body = {
          percent: value,
          ...(o.treatment === undefined ? {} : { treatment: o.treatment }),
          ...(o.control === undefined ? {} : { control: o.control }),
          ...(o.by === undefined ? {} : { by: o.by }),
          ...(o.reason === undefined ? {} : { reason: o.reason }),
        }
        printConfig(
          json,
          await api.request<ConfigResponse>(
            'POST',
            configPath(o.env ?? '', flag, '/rollout'),
            body,
          ),
        )
      },
    )

  addRolloutCommands(rollout, { globals, print, envOption, configPath })

  program
    .command('kill <flag>')
    .description('pull the kill switch: serve the off variant to everyone')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .addOption(envOption())
    .action(async (flag: string, o: { reason: string; env: string }, command: Command) => {
      const { api, json } = globals(command)
      printConfig(
        json,
        await api.request<ConfigResponse>('POST', configPath(o.env, flag, '/kill'), {
          reason: o.reason,
        }),
      )
    })

  program
    .command('unkill <flag>')
    .description('release the kill switch, restoring the configuration')
    .option('--reason <text>', 'why, for the audit log')
    .addOption(envOption())
    .action(async (flag: string, o: { reason?: string; env: string }, command: Command) => {
      const { api, json } = globals(command)
      const body = o.reason === undefined ? {} : { reason: o.reason }
      printConfig(
        json,
        await api.request<ConfigResponse>('POST', configPath(o.env, flag, '/unkill'), body),
      )
    })

  program
    .command('revert <flag>')
    .description('restore an earlier configuration version as a new version')
    .requiredOption('--to <version>', 'configuration version to restore')
    .option('--reason <text>', 'why, for the audit log')
    .addOption(envOption())
    .action(
      async (flag: string, o: { to: string; reason?: string; env: string }, command: Command) => {
        const { api, json } = globals(command)
        const toVersion = Number(o.to)
        if (!Number.isInteger(toVersion) || toVersion < 1) {
          throw new ApiError(`--to must be a version number, not "${o.to}"`)
        }
        const body = { toVersion, ...(o.reason === undefined ? {} : { reason: o.reason }) }
        printConfig(
          json,
          await api.request<ConfigResponse>('POST', configPath(o.env, flag, '/revert'), body),
        )
      },
    )

  program
    .command('status')
    .description('every flag in every environment: state, serving, version')
    .option('--env <env>', 'only this environment')
    .action(async (o: { env?: string }, command: Command) => {
      const { api, json } = globals(command)
      const names = await api.environmentNames(o.env)
      const envs = await Promise.all(
        names.map((name) =>
          api.request<{ environment: string; version: number; flags: StoredFlagConfig[] }>(
            'GET',
            `/v1/admin/environments/${encodeURIComponent(name)}/flags`,
          ),
        ),
      )
      const rows = envs
        .flatMap((e) => e.flags.map((c) => ({ ...c, environmentVersion: e.version })))
        .sort(
          (a, b) =>
            a.flagKey.localeCompare(b.flagKey) || a.environment.localeCompare(b.environment),
        )
      print(json, { environments: envs }, () =>
        formatTable(
          ['FLAG', 'ENV', 'STATE', 'SERVING', 'KILLED', 'VERSION'],
          rows.map((c) => [
            c.flagKey,
            c.environment,
            describeState(c.config),
            describeServe(c.config),
            c.config.killed ? `yes: ${c.config.killReason ?? ''}` : 'no',
            String(c.version),
          ]),
        ),
      )
    })

  program
    .command('audit')
    .description('who changed what, newest first')
    .option('--flag <key>', 'only this flag')
    .option('--env <env>', 'only this environment (and global changes)')
    .option('--actor <name>', 'only this actor')
    .option('--action <action>', 'only this action, e.g. config.kill')
    .option('--limit <n>', 'entries per page', '20')
    .option('--cursor <id>', 'the next page, from a previous --json output')
    .action(async (o: Record<string, string | undefined>, command: Command) => {
      const { api, json } = globals(command)
      const query = new URLSearchParams()
      for (const name of ['flag', 'env', 'actor', 'action', 'limit', 'cursor']) {
        const value = o[name]
        if (value !== undefined) query.set(name, value)
      }
      const page = await api.request<AuditPage>('GET', `/v1/admin/audit?${query}`)
      print(json, page, () =>
        [
          formatTable(
            ['ID', 'TIME', 'ACTOR', 'ACTION', 'ENV', 'TARGET', 'REASON'],
            page.entries.map((e) => [
              String(e.id),
              e.at,
              e.actor,
              e.action,
              e.environment ?? '*',
              e.resourceKey,
              e.reason ?? '',
            ]),
          ),
          ...(page.nextCursor === null ? [] : [`(more: --cursor ${page.nextCursor})`]),
        ].join('\n'),
      )
    })

  const tokens = program.command('tokens').description('API tokens')
  tokens
    .command('create <name>')
    .description('create a token; its secret is shown only once')
    .addOption(
      new Option('--scope <scope>', 'token scope')
        .choices(['admin', 'server', 'client'])
        .makeOptionMandatory(),
    )
    .option('--env <env>', 'environment of a server or client token')
    .action(async (name: string, o: { scope: string; env?: string }, command: Command) => {
      const { api, json } = globals(command)
      const body = { name, scope: o.scope, ...(o.env === undefined ? {} : { environment: o.env }) }
      const result = await api.request<{ token: TokenRecord; secret: string }>(
        'POST',
        '/v1/admin/tokens',
        body,
      )
      print(json, result, () =>
        [
          `created ${result.token.scope} token "${result.token.name}" (${result.token.id})${result.token.environment ? ` for ${result.token.environment}` : ''}`,
          'secret (shown only this once):',
          `  ${result.secret}`,
        ].join('\n'),
      )
    })
  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .action(async (_o, command: Command) => {
      const { api, json } = globals(command)
      const result = await api.request<{ tokens: TokenRecord[] }>('GET', '/v1/admin/tokens')
      print(json, result, () =>
        formatTable(
          ['ID', 'NAME', 'SCOPE', 'ENV', 'HINT', 'CREATED', 'REVOKED'],
          result.tokens.map((t) => [
            t.id,
            t.name,
            t.scope,
            t.environment ?? '*',
            t.hint,
            t.createdAt,
            t.revokedAt ?? '',
          ]),
        ),
      )
    })
  tokens
    .command('revoke <id>')
    .description('revoke a token: it stops working at once and its streams close')
    .action(async (id: string, _o, command: Command) => {
      const { api, json } = globals(command)
      const result = await api.request<{ token: TokenRecord }>(
        'DELETE',
        `/v1/admin/tokens/${encodeURIComponent(id)}`,
      )
      print(json, result, () => `revoked ${result.token.name} (${result.token.id})`)
    })

  addWebhooksCommand(program, { globals, print })
  addDeliveryMetricsCommand(program, { globals, print })

  return program
}

/** Runs the CLI; API errors print the server's problem detail and set a non-zero exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = createProgram(io).exitOverride()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (error) {
    const exitCode = (error as { exitCode?: unknown }).exitCode
    if (
      typeof exitCode === 'number' &&
      (error as { code?: unknown }).code !== undefined &&
      !(error instanceof ApiError)
    ) {
      return exitCode
    }
    if (error instanceof ApiError) {
      io.err(`error: ${error.message}`)
      for (const item of error.problem?.errors ?? []) io.err(`  ${item.path}: ${item.message}`)
      return 1
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}
