import { checkServeVariants, type FlagConfig, formatIssues } from '@floodgate/core'
import { z } from 'zod'
import type { ProblemItem } from './httpError'

/**
 * Checks a configuration against its flag and environment: every variant a
 * serve names exists, and (when `segmentKeys` is given) every segment a
 * condition names exists. Returns the problems with JSON-pointer paths.
 */
export function checkFlagConfig(
  config: FlagConfig,
  variants: Record<string, unknown>,
  segmentKeys?: ReadonlySet<string>,
): ProblemItem[] {
  const known = (variant: string) => Object.hasOwn(variants, variant)
  const schema = z.custom<FlagConfig>().superRefine((c, ctx) => {
    checkServeVariants(c.fallthrough, known, ['fallthrough'], ctx)
    c.rules.forEach((rule, i) => {
      checkServeVariants(rule.serve, known, ['rules', i, 'serve'], ctx)
      if (!segmentKeys) return
      rule.conditions.forEach((condition, j) => {
        if (condition.op !== 'inSegment' && condition.op !== 'notInSegment') return
        condition.values.forEach((value, k) => {
          if (segmentKeys.has(String(value))) return
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'conditions', j, 'values', k],
            message: `unknown segment "${String(value)}"`,
          })
        })
      })
    })
  })
  const result = schema.safeParse(config)
  return result.success ? [] : formatIssues(result.error)
}
