import type { Logger } from './types'

/** `console` where the runtime has one; otherwise nothing is logged. */
export const defaultLogger: Logger =
  typeof console !== 'undefined'
    ? {
        warn: (message, ...details) => console.warn(message, ...details),
        error: (message, ...details) => console.error(message, ...details),
      }
    : { warn: () => {}, error: () => {} }
