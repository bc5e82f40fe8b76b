import type { Condition, ConditionOp, FlagConfig, Rule, Serve } from './api/types'

/** A serve as its editor holds it: percentages as typed. */
export type ServeDraft =
  | { mode: 'variant'; variant: string }
  | { mode: 'split'; rows: { variant: string; percent: string }[]; by: string }

/** A condition as its editor holds it: values as one comma-separated text. */
export interface ConditionDraft {
  attribute: string
  op: ConditionOp
  values: string
}

export interface RuleDraft {
  id?: string
  description: string
  conditions: ConditionDraft[]
  serve: ServeDraft
}

/** The editable part of a configuration; the kill switch and the rollout reference are not edited here. */
export interface ConfigDraft {
  enabled: boolean
  salt: string
  rules: RuleDraft[]
  fallthrough: ServeDraft
}

const NUMERIC: ReadonlySet<ConditionOp> = new Set(['gt', 'gte', 'lt', 'lte'])
const VALUELESS: ReadonlySet<ConditionOp> = new Set(['exists', 'notExists'])

/** Whether an op takes no values (`exists`). */
export function isValueless(op: ConditionOp): boolean {
  return VALUELESS.has(op)
}

export function serveDraft(serve: Serve): ServeDraft {
  if ('variant' in serve) return { mode: 'variant', variant: serve.variant }
  return {
    mode: 'split',
    rows: serve.split.map((w) => ({ variant: w.variant, percent: String(w.weight / 100) })),
    by: serve.by ?? 'userId',
  }
}

export function toDraft(config: FlagConfig): ConfigDraft {
  return {
    enabled: config.enabled,
    salt: config.salt ?? '',
    rules: config.rules.map((rule) => ({
      ...(rule.id === undefined ? {} : { id: rule.id }),
      description: rule.description ?? '',
      conditions: rule.conditions.map((c) => ({
        attribute: c.attribute,
        op: c.op,
        values: c.values.map(String).join(', '),
      })),
      serve: serveDraft(rule.serve),
    })),
    fallthrough: serveDraft(config.fallthrough),
  }
}

/**
 * The configuration a draft describes, on top of `current` (whose kill
 * switch stays as it is). Values of numeric ops become numbers; the server
 * checks everything else and names the path of each problem.
 */
export function fromDraft(draft: ConfigDraft, current: FlagConfig): FlagConfig {
  const rules: Rule[] = draft.rules.map((rule) => ({
    ...(rule.id === undefined ? {} : { id: rule.id }),
    ...(rule.description.trim() === '' ? {} : { description: rule.description.trim() }),
    conditions: rule.conditions.map(toCondition),
    serve: toServe(rule.serve),
  }))
  const { rollout: _, salt: _salt, ...rest } = current
  return {
    ...rest,
    enabled: draft.enabled,
    ...(draft.salt.trim() === '' ? {} : { salt: draft.salt.trim() }),
    rules,
    fallthrough: toServe(draft.fallthrough),
  }
}

function toCondition(draft: ConditionDraft): Condition {
  const parts = isValueless(draft.op)
    ? []
    : draft.values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
  const values = parts.map((v) =>
    NUMERIC.has(draft.op) && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
  )
  return { attribute: draft.attribute.trim(), op: draft.op, values }
}

export function toServe(draft: ServeDraft): Serve {
  if (draft.mode === 'variant') return { variant: draft.variant }
  return {
    split: draft.rows.map((row) => ({
      variant: row.variant,
      weight: Math.round(Number(row.percent.replace(',', '.')) * 100),
    })),
    by: draft.by.trim() === '' ? 'userId' : draft.by.trim(),
  }
}

/** The sum of a split draft's percentages, for the hint under it. */
export function splitTotal(draft: ServeDraft): number | undefined {
  if (draft.mode !== 'split') return undefined
  return draft.rows.reduce((sum, row) => sum + (Number(row.percent.replace(',', '.')) || 0), 0)
}
