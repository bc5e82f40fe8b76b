/**
 * A random identifier for instances and signals batches:
 * `crypto.randomUUID()` where the runtime has it (browsers in secure
 * contexts, Node, edge runtimes), else 32 hex digits from `Math.random`,
 * which is unique enough for deduplicating batches of one instance.
 */
export function randomId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID()
  }
  let id = ''
  for (let i = 0; i < 4; i++) {
    id += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0')
  }
  return id
}
