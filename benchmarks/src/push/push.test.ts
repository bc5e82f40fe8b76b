import { afterEach, describe, expect, it } from 'vitest'
import { floodgateEndpointRig, floodgateServerRig } from './floodgatePush'
import { launchDarklyRig } from './launchDarklyPush'
import { measurePush, type PushRig } from './pushRig'

const rigs: PushRig[] = []

afterEach(async () => {
  await Promise.all(rigs.splice(0).map((rig) => rig.close()))
})

describe.each([
  ['Floodgate', floodgateEndpointRig],
  ['Floodgate (real server)', floodgateServerRig],
  ['LaunchDarkly', launchDarklyRig],
])('%s push rig', (_name, create) => {
  it('should time each change until every client serves it', async () => {
    const rig = await create(3)
    rigs.push(rig)
    const { allMs, eachMs } = await measurePush(rig, 2)
    expect(allMs).toHaveLength(2)
    expect(eachMs).toHaveLength(6)
    expect(eachMs.every((t) => t > 0)).toBe(true)
    expect(allMs[0]).toBe(Math.max(...eachMs.slice(0, 3)))
  })

  it('should leave every client serving the last change', async () => {
    const rig = await create(2)
    rigs.push(rig)
    await measurePush(rig, 1)
    // After one flip the flag is off: watching for `false` resolves at once, for every client.
    await expect(Promise.all(rig.watch(false))).resolves.toHaveLength(2)
  })
})
