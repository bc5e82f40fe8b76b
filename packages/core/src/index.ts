export { FlagNotFoundError, FlagSdkError, NotReadyError, SchemaError } from './errors'
export { ErrorCode, Reason } from './reasons'
export * from './schemas'
