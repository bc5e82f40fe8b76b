import { EnvironmentNameSchema, FlagKeySchema, SegmentKeySchema } from '@floodgate/core'
import { z } from 'zod'
import { HttpError } from '../httpError'
import type { Store } from '../store/store'

/** Path parameter schemas shared by the admin routes. */
export const FlagParams = z.strictObject({ key: FlagKeySchema })
export const EnvParams = z.strictObject({ env: EnvironmentNameSchema })
export const EnvFlagParams = z.strictObject({ env: EnvironmentNameSchema, key: FlagKeySchema })
export const EnvSegmentParams = z.strictObject({
  env: EnvironmentNameSchema,
  key: SegmentKeySchema,
})
export const TokenParams = z.strictObject({
  id: z.string().regex(/^tok_[a-z0-9]{1,64}$/, 'must be a token id such as tok_3f2a…'),
})

/** A whole number given as a query string. */
export function intString(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,15}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.int().min(min).max(max))
}

/** Throws a 404 problem unless the environment exists; returns its current version. */
export async function requireEnvironment(store: Store, name: string): Promise<number> {
  const env = await store.getEnvironment(name)
  if (!env) throw new HttpError(404, 'not_found', `environment "${name}" does not exist`)
  return env.version
}
