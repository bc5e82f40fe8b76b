import { randomUUID } from 'node:crypto'
import type { NodeFlagClient } from '@floodgate/node'
import express, { type Express, type Request, type Response } from 'express'
import type { FlagStateTracker } from './flagState'

/** The flag that chooses between the two checkouts. */
export const CHECKOUT_FLAG = 'new-checkout'

/** Which checkout served a request. */
export type CheckoutName = 'new' | 'legacy'

/** The body of `GET /checkout`, success or failure. */
export type CheckoutResponse =
  | { ok: true; checkout: CheckoutName; orderId: string; instanceId: string }
  | { ok: false; checkout: CheckoutName; error: string; instanceId: string }

/** What `createCheckoutApp` needs. */
export interface CheckoutAppOptions {
  flags: NodeFlagClient
  state: FlagStateTracker
  instanceId: string
  /** Share of checkouts that fail on both paths. */
  failRate: number
  /** Share of new checkouts that fail on top of `failRate`: the bug. */
  newCheckoutFailRate: number
  /** Source of randomness for failures. Default `Math.random`. */
  random?: () => number
}

/** A checkout that failed; its message reaches the client in the 500's body. */
export class CheckoutError extends Error {
  override readonly name = 'CheckoutError'
}

/**
 * The checkout service: `GET /checkout?userId=` serves the new or the legacy
 * checkout as `new-checkout` decides for that user, `GET /flag-state` says
 * what this instance serves, `GET /healthz` that it runs.
 */
export function createCheckoutApp(options: CheckoutAppOptions): Express {
  const { flags, state, instanceId } = options
  const random = options.random ?? Math.random
  const app = express()
  app.disable('x-powered-by')

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', flags: flags.getStatus().status })
  })

  app.get('/flag-state', (_req, res) => {
    res.json(state.current())
  })

  // Every flag evaluated while a request is handled sees its user.
  app.use(flags.middleware((req: Request) => userIdOf(req)))

  app.get('/checkout', async (req, res) => {
    if (userIdOf(req) === undefined) {
      problem(res, 400, 'invalid_query', 'userId is required', [
        { path: '/userId', message: 'required: a non-empty string' },
      ])
      return
    }
    const checkout: CheckoutName = flags.isEnabled(CHECKOUT_FLAG) ? 'new' : 'legacy'
    const failRate =
      checkout === 'new'
        ? 1 - (1 - options.failRate) * (1 - options.newCheckoutFailRate)
        : options.failRate
    try {
      // guard() counts the outcome and latency for the variant served, so the
      // rollout controller compares the two checkouts on real traffic.
      const orderId = await flags.guard(CHECKOUT_FLAG, undefined, () =>
        placeOrder(checkout, failRate, random),
      )
      send(res, 200, { ok: true, checkout, orderId, instanceId })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      send(res, 500, { ok: false, checkout, error: message, instanceId })
    }
  })

  return app
}

async function placeOrder(
  checkout: CheckoutName,
  failRate: number,
  random: () => number,
): Promise<string> {
  // Stands in for the payment call: asynchronous, and sometimes it fails.
  await new Promise((resolve) => setImmediate(resolve))
  if (random() < failRate) throw new CheckoutError(`the ${checkout} checkout failed`)
  return randomUUID()
}

function userIdOf(req: Request): { userId: string } | undefined {
  const userId = req.query.userId
  return typeof userId === 'string' && userId.length > 0 ? { userId } : undefined
}

function send(res: Response, status: number, body: CheckoutResponse): void {
  res.status(status).json(body)
}

function problem(
  res: Response,
  status: number,
  code: string,
  detail: string,
  errors: { path: string; message: string }[],
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: `urn:floodgate:problem:${code}`,
        title: 'Bad Request',
        status,
        detail,
        code,
        errors,
      }),
    )
}
