import { randomId } from './randomId'
import type { SdkInfo } from './types'
import { VERSION } from './version'

/** Who sends signals batches: the given fields, else `@floodgate/core`, its version and a random instance id. */
export function sdkInfo(sdk: Partial<SdkInfo> | undefined): SdkInfo {
  return {
    name: sdk?.name ?? '@floodgate/core',
    version: sdk?.version ?? VERSION,
    instanceId: sdk?.instanceId ?? randomId(),
  }
}
