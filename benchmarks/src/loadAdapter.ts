import type { Adapter } from './adapter'

/** Loads `adapters/<id>.js` next to the running bundle and checks its shape. */
export async function loadAdapter(id: string): Promise<Adapter<unknown>> {
  if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`bad adapter id "${id}"`)
  const mod: { adapter?: Adapter<unknown> } = await import(
    new URL(`./adapters/${id}.js`, import.meta.url).href
  )
  const adapter = mod.adapter
  if (!adapter || typeof adapter.start !== 'function' || typeof adapter.context !== 'function') {
    throw new Error(`adapters/${id}.js does not export an \`adapter\``)
  }
  return adapter
}
