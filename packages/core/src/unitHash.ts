import { ERROR_UNIT_HASH_SEED } from './constants'
import { murmur3 } from './murmur3'

/**
 * The hash under which signals count a unit (the split's `by` value) among
 * the distinct units with an error: what `errorUnitHashes` lists.
 */
export function unitHash(unit: string): number {
  return murmur3(unit, ERROR_UNIT_HASH_SEED)
}
