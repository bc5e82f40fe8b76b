import type { RolloutState } from '@floodgate/core'
import { type Command, Option } from 'commander'
import type { RolloutHealth } from '../rollouts/rolloutController'
import { type ApiClient, ApiError } from './apiClient'
import { formatTable } from './table'

/** What the rollout subcommands share with the rest of the program. */
export interface RolloutCliHelpers {
  globals(command: Command): { api: ApiClient; json: boolean }
  print(json: boolean, value: unknown, human: () => string): void
  envOption(): Option
  configPath(env: string, flag: string, action?: string): string
}

/**
 * `floodgate rollout start|status|history|health|pause|resume|promote|abort
 * <flag>`: staged rollouts, next to `rollout <flag> <percent>`.
 */
export function addRolloutCommands(rollout: Command, h: RolloutCliHelpers): void {
  const path = (env: string, flag: string, rest = '') => h.configPath(env, flag, `/rollouts${rest}`)

  rollout
    .command('start <flag>')
    .description('start a staged rollout that promotes and reverts itself')
    .addOption(h.envOption())
    .option('--treatment <variant>', 'treatment variant', 'on')
    .option('--control <variant>', 'control variant', 'off')
    .option('--stages <percents>', 'comma-separated stage percents (default 1,5,25,50,100)')
    .option(
      '--min-duration <seconds>',
      'minimum duration of every stage but the last (default 600)',
    )
    .option('--max-duration <seconds>', 'after this long without enough evidence a stage holds')
    .option('--tolerance <ratio>', 'tolerated relative error-rate increase (default 0.1)')
    .option('--alpha <p>', 'false-revert probability over the rollout (default 0.01)')
    .option('--min-evidence <n>', 'expected bad events per stage before promoting (default 30)')
    .addOption(
      new Option('--on-failure <action>', 'what a failure does (default revert)').choices([
        'revert',
        'kill',
      ]),
    )
    .option('--local-guard <minErrors:maxErrorRate>', 'SDK circuit breaker, e.g. 20:0.5')
    .action(async (flag: string, _o, command: Command) => {
      const { api, json } = h.globals(command)
      const o = optionsOf<Record<string, string | undefined>>(command)
      const state = await api.request<RolloutState>(
        'POST',
        path(o.env ?? '', flag),
        planFromOptions(o),
      )
      h.print(json, state, () => describeRollout(state))
    })

  rollout
    .command('status <flag>')
    .description("the current (or latest) rollout's state and decisions")
    .addOption(h.envOption())
    .action(async (flag: string, _o, command: Command) => {
      const { api, json } = h.globals(command)
      const o = optionsOf<{ env: string }>(command)
      const state = await api.request<RolloutState>('GET', path(o.env, flag, '/current'))
      h.print(json, state, () => describeRollout(state))
    })

  rollout
    .command('history <flag>')
    .description("a flag's rollouts, newest first")
    .addOption(h.envOption())
    .action(async (flag: string, _o, command: Command) => {
      const { api, json } = h.globals(command)
      const o = optionsOf<{ env: string }>(command)
      const result = await api.request<{ rollouts: RolloutState[] }>('GET', path(o.env, flag))
      h.print(json, result, () =>
        formatTable(
          ['ID', 'STATUS', 'STAGE', 'PERCENT', 'STARTED', 'ENDED', 'LAST DECISION'],
          result.rollouts.map((r) => [
            r.id,
            r.status,
            `${r.stageIndex + 1}/${r.plan.stages.length}`,
            `${r.percent}%`,
            r.startedAt,
            r.endedAt ?? '',
            r.decisions.at(-1)?.action ?? '',
          ]),
        ),
      )
    })

  rollout
    .command('health <flag>')
    .description("the rollout's signals per stage and variant")
    .addOption(h.envOption())
    .action(async (flag: string, _o, command: Command) => {
      const { api, json } = h.globals(command)
      const o = optionsOf<{ env: string }>(command)
      const health = await api.request<RolloutHealth>('GET', h.configPath(o.env, flag, '/health'))
      h.print(json, health, () =>
        formatTable(
          ['STAGE', 'VARIANT', 'EXPOSURES', 'ERRORS', 'ERROR UNITS', 'ERROR RATE', 'MEAN MS'],
          health.stages.flatMap((stage) =>
            Object.entries(stage.variants).map(([variant, s]) => [
              `${stage.stageIndex + 1} (${stage.percent}%)`,
              variant,
              String(s.exposures),
              String(s.errors),
              String(s.errorUnits),
              `${(s.errorRate * 100).toFixed(2)}%`,
              s.meanLatencyMs === null ? '' : s.meanLatencyMs.toFixed(1),
            ]),
          ),
        ),
      )
    })

  for (const [name, description] of [
    ['pause', 'pause the running rollout: the split stays, nothing is decided'],
    ['resume', "resume a paused rollout: its stage starts over with the stage's split"],
    ['promote', 'promote to the next stage now (completes at the last)'],
    ['abort', 'end the rollout and serve control'],
  ] as const) {
    rollout
      .command(`${name} <flag>`)
      .description(description)
      .addOption(h.envOption())
      .option('--reason <text>', 'why, for the decision log and the audit')
      .action(async (flag: string, _o, command: Command) => {
        const { api, json } = h.globals(command)
        const o = optionsOf<{ env: string; reason?: string }>(command)
        const state = await api.request<RolloutState>(
          'POST',
          path(o.env, flag, `/current/${name}`),
          o.reason === undefined ? {} : { reason: o.reason },
        )
        h.print(json, state, () => describeRollout(state))
      })
  }
}

/**
 * A subcommand's options, with those the `rollout <flag> <percent>` command
 * parsed for it: that command knows `--env`, `--treatment`, `--control` and
 * `--reason` too, and takes them wherever they appear.
 */
function optionsOf<T>(command: Command): T {
  const own = command.opts()
  const parent = command.parent?.opts() ?? {}
  const given = Object.fromEntries(
    Object.entries(parent).filter(([name]) => command.parent?.getOptionValueSource(name) === 'cli'),
  )
  return { ...own, ...given } as T
}

/** The plan a `rollout start` asks for; the server fills in what is left out and checks the rest. */
function planFromOptions(o: Record<string, string | undefined>): Record<string, unknown> {
  const number = (name: string, value: string | undefined) => {
    if (value === undefined) return undefined
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new ApiError(`--${name} must be a number, not "${value}"`)
    }
    return n
  }
  const minDurationSec = number('min-duration', o.minDuration)
  const maxDurationSec = number('max-duration', o.maxDuration)
  const percents = o.stages?.split(',').map((p) => number('stages', p.trim()) ?? 0)
  const stages =
    percents ??
    (minDurationSec === undefined && maxDurationSec === undefined ? undefined : [1, 5, 25, 50, 100])
  const guard = Object.fromEntries(
    [
      ['tolerance', number('tolerance', o.tolerance)],
      ['alpha', number('alpha', o.alpha)],
      ['minEvidence', number('min-evidence', o.minEvidence)],
    ].filter(([, v]) => v !== undefined),
  )
  let localGuard: Record<string, number> | undefined
  if (o.localGuard !== undefined) {
    const [minErrors, maxErrorRate] = o.localGuard.split(':')
    localGuard = {
      minErrors: number('local-guard', minErrors) ?? 0,
      maxErrorRate: number('local-guard', maxErrorRate) ?? 0,
    }
  }
  return {
    treatment: o.treatment,
    control: o.control,
    ...(stages === undefined
      ? {}
      : {
          stages: stages.map((percent, i) => ({
            percent,
            ...(i < stages.length - 1 && minDurationSec !== undefined ? { minDurationSec } : {}),
            ...(maxDurationSec === undefined ? {} : { maxDurationSec }),
          })),
        }),
    ...(Object.keys(guard).length === 0 ? {} : { guard }),
    ...(o.onFailure === undefined ? {} : { onFailure: o.onFailure }),
    ...(localGuard === undefined ? {} : { localGuard }),
  }
}

/** A rollout as a person reads it: where it stands, then its decisions. */
export function describeRollout(state: RolloutState): string {
  const stages = state.plan.stages.map((s) => `${s.percent}%`).join(' → ')
  return [
    `rollout ${state.id} of ${state.flag} in ${state.environment}: ${state.status}, stage ${state.stageIndex + 1}/${state.plan.stages.length} serving ${state.percent}% ${state.plan.treatment} (${stages})`,
    `started ${state.startedAt}, stage since ${state.stageStartedAt}${state.endedAt ? `, ended ${state.endedAt}` : ''}`,
    '',
    formatTable(
      ['TIME', 'ACTION', 'STAGE', 'BY', 'REASON'],
      state.decisions.map((d) => [
        d.at,
        d.action,
        String((d.stageIndex ?? 0) + 1),
        d.by ?? '',
        d.reason,
      ]),
    ),
  ].join('\n')
}
