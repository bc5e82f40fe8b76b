import type { FlagConfig, Serve, StoredFlag } from './api/types'

/** What a flag serves in one environment, as the list and the drift view show it. */
export type FlagState =
  | { state: 'killed'; reason: string | undefined }
  | { state: 'off'; variant: string }
  | { state: 'variant'; variant: string }
  | { state: 'split'; percent: number; treatment: string; control: string | undefined }
  | { state: 'multi'; split: { variant: string; percent: number }[] }

/** The state of a configuration, with the percentage of a treatment-first split. */
export function flagState(flag: Pick<StoredFlag, 'offVariant'>, config: FlagConfig): FlagState {
  if (config.killed) return { state: 'killed', reason: config.killReason }
  if (!config.enabled) return { state: 'off', variant: flag.offVariant }
  const serve = config.fallthrough
  if ('variant' in serve) return { state: 'variant', variant: serve.variant }
  if (serve.split.length <= 2) {
    const [treatment, control] = serve.split
    return {
      state: 'split',
      percent: (treatment?.weight ?? 0) / 100,
      treatment: treatment?.variant ?? '',
      control: control?.variant,
    }
  }
  return {
    state: 'multi',
    split: serve.split.map((w) => ({ variant: w.variant, percent: w.weight / 100 })),
  }
}

/** A short text of a state: `killed`, `off`, `on`, `25 % on`. */
export function stateLabel(state: FlagState): string {
  switch (state.state) {
    case 'killed':
      return 'killed'
    case 'off':
      return 'off'
    case 'variant':
      return state.variant
    case 'split':
      return `${formatPercent(state.percent)} ${state.treatment}`
    case 'multi':
      return state.split.map((s) => `${s.variant} ${formatPercent(s.percent)}`).join(' · ')
  }
}

/** `25 %`, `2.5 %`, `0.01 %`. */
export function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(2))} %`
}

/** A serve in words: `on`, or `on 25 % · off 75 % by userId`. */
export function describeServe(serve: Serve): string {
  if ('variant' in serve) return serve.variant
  const parts = serve.split.map((w) => `${w.variant} ${formatPercent(w.weight / 100)}`)
  return `${parts.join(' · ')} by ${serve.by ?? 'userId'}`
}

/** A date as the dashboard shows it: local, to the second. */
export function formatTime(iso: string | number): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString()
}
