import { hostname } from 'node:os'
import { z } from 'zod'

const rate = z.coerce.number().min(0).max(1)

/** The environment variables the checkout reads, with their defaults. */
export const CheckoutConfigSchema = z.object({
  /** Port to listen on; 0 picks a free one. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface to listen on. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** The Floodgate server. */
  FLOODGATE_URL: z.url().default('http://127.0.0.1:4242'),
  /** A `server` SDK token of the environment to serve. */
  FLOODGATE_TOKEN: z.string().regex(/^fg_(server|client)_/, 'must be an SDK token (fg_server_…)'),
  /** Time between two signals batches, in ms (a failing canary is reported at once anyway). */
  SIGNALS_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Share of checkouts that fail on both paths: declined cards, timeouts upstream. */
  CHECKOUT_FAIL_RATE: rate.default(0),
  /** Share of new checkouts that fail on top of that: the bug the new path ships with. */
  NEW_CHECKOUT_FAIL_RATE: rate.default(0),
  /** This process in signals and in `/flag-state`. */
  INSTANCE_ID: z
    .string()
    .min(1)
    .max(128)
    .default(() => `${hostname()}-${process.pid}`),
})

/** The checkout's settings, parsed from the environment. */
export interface CheckoutConfig {
  port: number
  host: string
  floodgateUrl: string
  floodgateToken: string
  signalsIntervalMs: number
  failRate: number
  newCheckoutFailRate: number
  instanceId: string
}

/** Parsed settings, or every problem with the variable it concerns. */
export type CheckoutConfigResult =
  | { success: true; data: CheckoutConfig }
  | { success: false; error: string }

/**
 * Reads the checkout's settings from environment variables. Nothing is
 * started with a half-valid configuration: every bad variable is named.
 */
export function readCheckoutConfig(env: Record<string, string | undefined>): CheckoutConfigResult {
  const parsed = CheckoutConfigSchema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`,
    )
    return { success: false, error: problems.join('\n') }
  }
  const e = parsed.data
  return {
    success: true,
    data: {
      port: e.PORT,
      host: e.HOST,
      floodgateUrl: e.FLOODGATE_URL,
      floodgateToken: e.FLOODGATE_TOKEN,
      signalsIntervalMs: e.SIGNALS_INTERVAL_MS,
      failRate: e.CHECKOUT_FAIL_RATE,
      newCheckoutFailRate: e.NEW_CHECKOUT_FAIL_RATE,
      instanceId: e.INSTANCE_ID,
    },
  }
}
