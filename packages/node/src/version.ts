/** This package's version, sent with signals batches. */
export const VERSION = '0.1.0'
