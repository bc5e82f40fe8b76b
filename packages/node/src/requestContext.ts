import { AsyncLocalStorage } from 'node:async_hooks'
import type { Context } from '@floodgate/core'

/**
 * A middleware for Express (`app.use`) and Fastify (`app.addHook('onRequest', …)`):
 * both call it with the request, the response and a `next`/`done` callback.
 */
export type ContextMiddleware<Request> = (
  request: Request,
  reply: unknown,
  next: () => void,
) => void

/**
 * The context of the request being served, carried by `AsyncLocalStorage`
 * through every `await` of the request's handling: flags evaluated deep in
 * application code see the request's user without it being passed around.
 */
export class RequestContext {
  private readonly storage = new AsyncLocalStorage<Context>()

  /** The context of the current request; `undefined` outside one. */
  get(): Context | undefined {
    return this.storage.getStore()
  }

  /** Runs `fn` (and everything it starts) with `context` as the request context. */
  run<R>(context: Context, fn: () => R): R {
    return this.storage.run(context, fn)
  }

  /**
   * A middleware that runs the rest of each request under the context
   * `toContext` builds from the request. A `toContext` that throws leaves the
   * request without a context (flags see only the defaults) rather than
   * failing it.
   */
  middleware<Request>(
    toContext: (request: Request) => Context | undefined,
  ): ContextMiddleware<Request> {
    const storage = this.storage
    return function floodgateContext(request, _reply, next) {
      let context: Context | undefined
      try {
        context = toContext(request)
      } catch {
        context = undefined
      }
      storage.run(context ?? {}, next)
    }
  }
}
