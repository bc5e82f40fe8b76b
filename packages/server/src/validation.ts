import { formatIssues } from '@floodgate/core'
import type { z } from 'zod'
import { HttpError } from './httpError'

/** Parses one part of a request with its schema; a failure is a 400 problem listing every issue with its path. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: 'body' | 'query' | 'params' | 'header',
): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const errors = formatIssues(result.error)
  const first = errors[0]
  throw new HttpError(
    400,
    'invalid_request',
    `invalid ${part}${first ? `: ${first.path} ${first.message}` : ''}`,
    { errors },
  )
}
