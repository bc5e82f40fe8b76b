import type { Context } from './types'

type Layer = Readonly<Record<string, unknown>>

/**
 * The context an evaluation sees: the call's context over the ambient one
 * over the client's defaults, read attribute by attribute so that no merged
 * object is built per evaluation. A layer whose attribute is `undefined` lets
 * the next layer show through; any other value, `null` included, is the
 * answer (`null` stands for "explicitly absent").
 */
export class ContextLayers {
  // Kept unchecked until an attribute is read: checking a layer's type loads
  // the caller's object, a cache miss per call that flags which read no
  // attribute (on/off, killed, disabled) would pay for nothing.
  private call: unknown
  private ambient: unknown
  private defaults: unknown

  set(call: unknown, ambient?: unknown, defaults?: Context): this {
    this.call = call
    this.ambient = ambient
    this.defaults = defaults
    return this
  }

  /** Drops the references to the caller's objects once an evaluation is done. */
  clear(): void {
    this.call = undefined
    this.ambient = undefined
    this.defaults = undefined
  }

  get(name: string): unknown {
    let v = read(this.call, name)
    if (v === undefined) v = read(this.ambient, name)
    if (v === undefined) v = read(this.defaults, name)
    return v
  }
}

/** Anything but a non-null object is no context at all, so garbage cannot be indexed. */
function asLayer(value: unknown): Layer | undefined {
  return typeof value === 'object' && value !== null ? (value as Layer) : undefined
}

function read(value: unknown, name: string): unknown {
  const layer = asLayer(value)
  if (layer === undefined) return undefined
  const v = layer[name]
  // Inherited members (`constructor`, `toString`, `__proto__`) are objects or
  // functions; primitives can only be own values, so only those need the check.
  if ((typeof v === 'object' && v !== null) || typeof v === 'function') {
    return Object.hasOwn(layer, name) ? v : undefined
  }
  return v
}
