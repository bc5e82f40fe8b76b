import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'
import { HttpError } from '../httpError'

/**
 * What every dashboard page may load: its own scripts and styles (charts set
 * inline styles), nothing framed elsewhere, so a destructive button cannot be
 * clicked through another site's frame.
 */
const PAGE_POLICY =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/**
 * The web dashboard's static files at `/`. Hashed assets are cached for a
 * year; `index.html` is revalidated, and it answers every other GET outside
 * `/v1` too, so that the dashboard's own paths (`/flags/new-checkout`) load
 * on a reload or from a link.
 */
export function dashboardRoutes(root: string): FastifyPluginAsync {
  return async function dashboard(app) {
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders(reply, path) {
        if (/[\\/]assets[\\/]/.test(path)) {
          reply.header('Cache-Control', 'public, max-age=31536000, immutable')
        } else {
          reply.header('Cache-Control', 'no-cache')
          reply.header('Content-Security-Policy', PAGE_POLICY)
          reply.header('X-Content-Type-Options', 'nosniff')
        }
      },
    })

    app.get('/*', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      if (path === '/v1' || path.startsWith('/v1/') || path.startsWith('/assets/')) {
        throw new HttpError(404, 'not_found', `no route ${request.method} ${path}`)
      }
      return reply.sendFile('index.html')
    })
  }
}
