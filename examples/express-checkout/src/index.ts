export type { CheckoutAppOptions, CheckoutName, CheckoutResponse } from './checkoutApp'
export { CHECKOUT_FLAG, CheckoutError, createCheckoutApp } from './checkoutApp'
export type { CheckoutConfig, CheckoutConfigResult } from './checkoutConfig'
export { CheckoutConfigSchema, readCheckoutConfig } from './checkoutConfig'
export type { RunningCheckout, StartCheckoutOptions } from './checkoutServer'
export { startCheckoutServer } from './checkoutServer'
export type { FlagState } from './flagState'
export { FlagStateTracker } from './flagState'
export type {
  CheckoutCounts,
  LoadGeneratorOptions,
  LoadResult,
  LoadStats,
} from './loadGenerator'
export { LoadGenerator } from './loadGenerator'
