import { compileConditions, type Test } from './conditions'
import type { ContextLayers } from './contextLayers'
import type { Segment } from './schemas'

/**
 * The compiled segments of a snapshot, looked up by key when a condition
 * asks. Compiled flags hold the table, not the segments, so a segment change
 * replaces the table's contents and every flag sees it without recompiling.
 */
export class SegmentTable {
  private tests = new Map<string, Test>()

  constructor(segments?: Readonly<Record<string, Segment>>) {
    if (segments) this.replace(segments)
  }

  /**
   * Compiles `segments` and swaps them in. Segments are compiled against an
   * empty table: a segment that names another segment (the schema forbids it)
   * matches nobody instead of recursing. A segment that fails to compile
   * matches nobody either, rather than breaking every flag that uses it.
   */
  replace(segments: Readonly<Record<string, Segment>>): void {
    const next = new Map<string, Test>()
    if (typeof segments === 'object' && segments !== null) {
      for (const [key, segment] of Object.entries(segments)) {
        try {
          next.set(key, compileConditions(segment.conditions, EMPTY))
        } catch {
          next.set(key, () => false)
        }
      }
    }
    this.tests = next
  }

  /** Does the context satisfy every condition of segment `key`? An unknown segment matches nobody. */
  matches(key: string, context: ContextLayers): boolean {
    const test = this.tests.get(key)
    return test?.(context) === true
  }
}

const EMPTY = /* @__PURE__ */ new SegmentTable()
