let nextUnit = 1
let nextBatch = 1

/** One arm of a signals batch: exposures, and how many distinct units erred (each with a fresh unit hash). */
export interface Arm {
  exposures: number
  errorUnits: number
}

function variant(arm: Arm) {
  const hashes = Array.from({ length: arm.errorUnits }, () => nextUnit++)
  return {
    exposures: arm.exposures,
    successes: arm.exposures - hashes.length,
    errors: hashes.length,
    errorUnits: hashes.length,
    errorUnitHashes: hashes,
    errorUnitHashesDropped: 0,
  }
}

/**
 * A signals batch for a boolean flag's `on` (treatment) and `off` (control),
 * over the last 200 ms but not before `since` (epoch ms): signals are bucketed
 * by their window's start, so a stage's chart holds the batches that started in it.
 */
export function signalsBatch(flag: string, treatment: Arm, control: Arm, since = 0) {
  const now = Date.now()
  return {
    id: `dashboard-test-${String(nextBatch++).padStart(6, '0')}`,
    sdk: { name: 'dashboard-test', version: '1.0.0', instanceId: 'test-1' },
    window: { start: Math.min(now, Math.max(now - 200, since)), end: now },
    flags: { [flag]: { on: variant(treatment), off: variant(control) } },
  }
}

/** Sends a batch as an SDK would; throws unless it was accepted. */
export async function sendSignals(url: string, sdkToken: string, batch: unknown): Promise<void> {
  const res = await fetch(`${url}/v1/sdk/signals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sdkToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(batch),
  })
  if (res.status !== 202) throw new Error(`signals: ${res.status} ${await res.text()}`)
}
