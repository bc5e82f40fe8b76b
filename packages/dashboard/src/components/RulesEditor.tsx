import { CONDITION_OPS } from '@floodgate/core'
import { useId } from 'react'
import type { ConditionOp } from '../api/types'
import { type ConditionDraft, type ConfigDraft, isValueless, type RuleDraft } from '../configDraft'
import { PathErrors } from './PathErrors'
import { ServeEditor } from './ServeEditor'

/**
 * Edits a configuration's targeting: enabled, the ordered rules (conditions
 * that must all hold, and what they serve) and the fallthrough. The server's
 * problems show at the rule, condition or serve they name.
 */
export function RulesEditor({
  draft,
  variants,
  onChange,
  error,
}: {
  draft: ConfigDraft
  variants: string[]
  onChange: (next: ConfigDraft) => void
  error: unknown
}) {
  const id = useId()
  const setRule = (i: number, rule: RuleDraft) =>
    onChange({ ...draft, rules: draft.rules.map((r, j) => (j === i ? rule : r)) })
  const move = (i: number, by: -1 | 1) => {
    const rules = [...draft.rules]
    const [rule] = rules.splice(i, 1)
    if (rule) rules.splice(i + by, 0, rule)
    onChange({ ...draft, rules })
  }
  return (
    <div className="rules">
      <label className="check">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => onChange({ ...draft, enabled: e.target.checked })}
        />
        Enabled (off serves the off variant to everyone)
      </label>
      <ol className="rule-list">
        {draft.rules.map((rule, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a rule's position is what the evaluation uses
          <li key={i} className="rule card">
            <div className="rule-head">
              <h4>Rule {i + 1}</h4>
              <div className="row">
                <button
                  type="button"
                  onClick={() => move(i, -1)}
                  disabled={i === 0}
                  aria-label={`Move rule ${i + 1} up`}
                >
                  ↑
                </button>
                <button
                  type="button"
                  onClick={() => move(i, 1)}
                  disabled={i === draft.rules.length - 1}
                  aria-label={`Move rule ${i + 1} down`}
                >
                  ↓
                </button>
                <button
                  type="button"
                  onClick={() =>
                    onChange({ ...draft, rules: draft.rules.filter((_, j) => j !== i) })
                  }
                  aria-label={`Remove rule ${i + 1}`}
                >
                  Remove
                </button>
              </div>
            </div>
            <label className="field" htmlFor={`${id}-${i}-description`}>
              <span>Description</span>
              <input
                id={`${id}-${i}-description`}
                value={rule.description}
                onChange={(e) => setRule(i, { ...rule, description: e.target.value })}
              />
            </label>
            <fieldset>
              <legend>Conditions (all must hold)</legend>
              {rule.conditions.map((condition, j) => (
                <ConditionRow
                  // biome-ignore lint/suspicious/noArrayIndexKey: conditions are edited in place
                  key={j}
                  label={`Rule ${i + 1}, condition ${j + 1}`}
                  condition={condition}
                  onChange={(next) =>
                    setRule(i, {
                      ...rule,
                      conditions: rule.conditions.map((c, k) => (k === j ? next : c)),
                    })
                  }
                  onRemove={() =>
                    setRule(i, { ...rule, conditions: rule.conditions.filter((_, k) => k !== j) })
                  }
                  error={error}
                  path={`/rules/${i}/conditions/${j}`}
                />
              ))}
              <button
                type="button"
                onClick={() =>
                  setRule(i, {
                    ...rule,
                    conditions: [...rule.conditions, { attribute: 'userId', op: 'in', values: '' }],
                  })
                }
              >
                Add a condition
              </button>
            </fieldset>
            <ServeEditor
              label={`Rule ${i + 1} serves`}
              value={rule.serve}
              variants={variants}
              onChange={(serve) => setRule(i, { ...rule, serve })}
              error={error}
              path={`/rules/${i}/serve`}
            />
            <PathErrors error={error} path={`/rules/${i}/description`} />
          </li>
        ))}
      </ol>
      <button
        type="button"
        onClick={() =>
          onChange({
            ...draft,
            rules: [
              ...draft.rules,
              {
                description: '',
                conditions: [{ attribute: 'email', op: 'endsWith', values: '' }],
                serve: { mode: 'variant', variant: variants[0] ?? '' },
              },
            ],
          })
        }
      >
        Add a rule
      </button>
      <ServeEditor
        label="Everyone else (fallthrough)"
        value={draft.fallthrough}
        variants={variants}
        onChange={(fallthrough) => onChange({ ...draft, fallthrough })}
        error={error}
        path="/fallthrough"
      />
    </div>
  )
}

function ConditionRow({
  label,
  condition,
  onChange,
  onRemove,
  error,
  path,
}: {
  label: string
  condition: ConditionDraft
  onChange: (next: ConditionDraft) => void
  onRemove: () => void
  error: unknown
  path: string
}) {
  const id = useId()
  return (
    <fieldset className="condition">
      <legend className="visually-hidden">{label}</legend>
      <div className="row">
        <label className="field inline" htmlFor={`${id}attr`}>
          <span>Attribute</span>
          <input
            id={`${id}attr`}
            value={condition.attribute}
            onChange={(e) => onChange({ ...condition, attribute: e.target.value })}
          />
        </label>
        <label className="field inline" htmlFor={`${id}op`}>
          <span>Operator</span>
          <select
            id={`${id}op`}
            value={condition.op}
            onChange={(e) => onChange({ ...condition, op: e.target.value as ConditionOp })}
          >
            {CONDITION_OPS.map((op) => (
              <option key={op}>{op}</option>
            ))}
          </select>
        </label>
        {isValueless(condition.op) ? null : (
          <label className="field inline grow" htmlFor={`${id}values`}>
            <span>Values (comma-separated)</span>
            <input
              id={`${id}values`}
              value={condition.values}
              onChange={(e) => onChange({ ...condition, values: e.target.value })}
            />
          </label>
        )}
        <button type="button" onClick={onRemove} aria-label={`Remove ${label.toLowerCase()}`}>
          Remove
        </button>
      </div>
      <PathErrors error={error} path={path} />
    </fieldset>
  )
}
