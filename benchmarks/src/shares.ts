import type { FlagName } from './population'

/** Enabled counts of one timed pass, split by whether the user's country is targeted. */
export interface ShareCounts {
  targeted: { enabled: number; total: number }
  other: { enabled: number; total: number }
}

/** The exact enabled share each flag must produce in each group. */
export const EXPECTED_SHARES: Record<FlagName, { targeted: number; other: number }> = {
  'on-off': { targeted: 1, other: 1 },
  'canary-10': { targeted: 0.1, other: 0.1 },
  'country-canary': { targeted: 1, other: 0.25 },
}

/**
 * How far (in percentage points) a measured share may stray from the
 * expected one. Smaller populations than the default get five standard
 * errors instead when that is wider, so a quick run does not fail on chance.
 */
export const SHARE_TOLERANCE_PP = 0.5

/** The tolerance for an expected share `p` over `n` users, in percentage points. */
export function tolerancePp(p: number, n: number): number {
  return Math.max(SHARE_TOLERANCE_PP, 5 * 100 * Math.sqrt((p * (1 - p)) / n))
}

/** The overall enabled share of a pass. */
export function overallShare(counts: ShareCounts): number {
  const total = counts.targeted.total + counts.other.total
  return total === 0 ? 0 : (counts.targeted.enabled + counts.other.enabled) / total
}

/**
 * Compares a pass with the expected shares, per group, so that an SDK that
 * evaluates something else (a broken rule, a canary on the wrong attribute)
 * cannot win. Returns the problems found; empty means the SDK evaluated the
 * same flags as everyone else.
 */
export function checkShares(flag: FlagName, counts: ShareCounts): string[] {
  const problems: string[] = []
  for (const group of ['targeted', 'other'] as const) {
    const { enabled, total } = counts[group]
    const expected = EXPECTED_SHARES[flag][group]
    if (total === 0) {
      problems.push(`${flag}: no ${group} users evaluated`)
      continue
    }
    const share = enabled / total
    const tolerance = tolerancePp(expected, total)
    if (Math.abs(share - expected) * 100 > tolerance) {
      problems.push(
        `${flag}: ${group} users enabled ${(share * 100).toFixed(2)} %, expected ${(expected * 100).toFixed(1)} % ± ${tolerance.toFixed(2)} pp`,
      )
    }
  }
  return problems
}
