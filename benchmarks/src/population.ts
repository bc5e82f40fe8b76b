/** The three flags every SDK evaluates, in the order the harness measures them. */
export const FLAGS = ['on-off', 'canary-10', 'country-canary'] as const
export type FlagName = (typeof FLAGS)[number]

/** What each flag means, for the tables. */
export const FLAG_LABELS: Record<FlagName, string> = {
  'on-off': 'on/off',
  'canary-10': '10 % canary',
  'country-canary': 'country rule + 25 % canary',
}

/** The five countries `country-canary` turns on for everyone. */
export const TARGET_COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP'] as const
/** Five more countries, so that exactly half of the users match the rule. */
export const OTHER_COUNTRIES = ['BR', 'CA', 'ES', 'MX', 'AU'] as const

/** One precomputed user. */
export interface BenchUser {
  /** `user-1` … `user-<size>`. */
  userId: string
  country: string
  /** Whether `country` is one of `TARGET_COUNTRIES`; used to check the rule per group. */
  targeted: boolean
}

/** The default population size. */
export const POPULATION_SIZE = 1_000_000

const ALL_COUNTRIES = [...TARGET_COUNTRIES, ...OTHER_COUNTRIES]

/**
 * The users every SDK evaluates: `user-1` … `user-<size>`, countries taken
 * round-robin from ten, so exactly half are targeted and the expected enabled
 * shares are exactly 100 %, 10 % and 0.5 + 0.5 × 0.25 = 62.5 %.
 *
 * @param size a positive multiple of 10 (default 1,000,000)
 */
export function createPopulation(size: number = POPULATION_SIZE): BenchUser[] {
  if (!Number.isInteger(size) || size < 10 || size % ALL_COUNTRIES.length !== 0) {
    throw new RangeError(`population size must be a positive multiple of 10, got ${size}`)
  }
  const users: BenchUser[] = new Array(size)
  for (let i = 0; i < size; i++) {
    const slot = i % ALL_COUNTRIES.length
    users[i] = {
      userId: `user-${i + 1}`,
      country: ALL_COUNTRIES[slot] as string,
      targeted: slot < TARGET_COUNTRIES.length,
    }
  }
  return users
}
