import { performance } from 'node:perf_hooks'

/**
 * One SDK's streaming setup for the push benchmark: a local server that can
 * change one boolean flag, and clients connected to it over HTTP.
 */
export interface PushRig {
  /** Product name shown in the table. */
  name: string
  /** The SDK package measured. */
  packageName: string
  /** What `change()` covers on the server side, for the table. */
  serverSide: string
  /** Turns the flag off when it is on and on when it is off; resolves once the server answered. */
  change(): Promise<void>
  /** One promise per client, each resolving once that client serves `value`. */
  watch(value: boolean): Promise<void>[]
  close(): Promise<void>
}

/** What the minimal stream endpoints do on the server side, for the table. */
export const STUB_SERVER_SIDE = 'minimal endpoint of its stream protocol: no storage, no auth'

/** Milliseconds from the change request until the clients serve the new value. */
export interface PushTimes {
  /** Per change: until the last client serves it. */
  allMs: number[]
  /** Per change and client: until that client serves it. */
  eachMs: number[]
}

/**
 * Flips the flag `changes` times, each time measuring from just before the
 * change request until every client serves the new value. The flag starts on.
 */
export async function measurePush(rig: PushRig, changes: number): Promise<PushTimes> {
  const allMs: number[] = []
  const eachMs: number[] = []
  let on = true
  for (let i = 0; i < changes; i++) {
    on = !on
    const start = performance.now()
    const arrivals = rig.watch(on).map((served) => served.then(() => performance.now() - start))
    await rig.change()
    const times = await Promise.all(arrivals)
    eachMs.push(...times)
    allMs.push(Math.max(...times))
  }
  return { allMs, eachMs }
}

/** Resolves when `predicate` holds, checking it now and after every event `subscribe` delivers. */
export function until(
  predicate: () => boolean | Promise<boolean>,
  subscribe: (listener: () => void) => () => void,
): Promise<void> {
  return new Promise((resolve) => {
    let done = false
    const check = async () => {
      if (done || !(await predicate())) return
      done = true
      unsubscribe()
      resolve()
    }
    const unsubscribe = subscribe(() => void check())
    void check()
  })
}
