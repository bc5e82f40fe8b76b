import { installedVersion } from '../packageRoot'
import { PUSH_RIG_SDKS, type PushRigId, type PushRun } from '../results'
import { runWorker, workerArgument } from '../workerProcess'
import { floodgateEndpointRig, floodgateServerRig } from './floodgatePush'
import { launchDarklyRig } from './launchDarklyPush'
import { measurePush, type PushRig } from './pushRig'

const RIGS: Record<PushRigId, (clients: number) => Promise<PushRig>> = {
  floodgate: floodgateEndpointRig,
  'floodgate-server': floodgateServerRig,
  launchdarkly: launchDarklyRig,
}

/** What the runner asks of one push process. */
export interface PushWorkerOptions {
  rig: PushRigId
  clients: number
  changes: number
}

runWorker(async (): Promise<PushRun> => {
  const { rig: id, clients, changes } = workerArgument<PushWorkerOptions>()
  const rig = await RIGS[id](clients)
  try {
    // One change nobody times, so connections and code paths are warm for every SDK alike.
    await measurePush(rig, 2)
    const times = await measurePush(rig, changes)
    return {
      rig: id,
      sdk: PUSH_RIG_SDKS[id],
      name: rig.name,
      packageName: rig.packageName,
      version: installedVersion(rig.packageName),
      serverSide: rig.serverSide,
      clients,
      changes,
      ...times,
    }
  } finally {
    await rig.close()
  }
})
