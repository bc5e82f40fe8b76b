import { FlagSdkError } from './errors'
import { messageOf } from './evaluate'
import { ErrorCode } from './reasons'
import { SafeEmitter } from './safeEmitter'
import type { FlagClientEvent, Logger } from './types'

/**
 * The events of a flag client: a listener that throws is logged and
 * reported as an `error` event (one that throws on `error` only logged, so
 * that it cannot loop), and the other listeners still run.
 */
export function clientEvents(logger: Logger): SafeEmitter<FlagClientEvent> {
  const events: SafeEmitter<FlagClientEvent> = new SafeEmitter((error, event) => {
    logger.error(`[floodgate] a "${event.type}" listener threw`, error)
    if (event.type === 'error') return
    events.emit({
      type: 'error',
      error: new FlagSdkError(
        ErrorCode.GENERAL,
        `a "${event.type}" listener threw: ${messageOf(error)}`,
        {
          cause: error,
        },
      ),
    })
  })
  return events
}
