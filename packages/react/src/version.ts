/** This package's version, sent as `sdk.version` in signals batches (a test keeps it equal to package.json). */
export const VERSION = '0.1.0'
