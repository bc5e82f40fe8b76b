import type { EvaluationContext, FlagValue, FlagValueType } from '@openfeature/core'
import type { LiveServer } from './liveServer'

/**
 * The flags every provider test evaluates, all visible to client tokens but
 * `internal-tool`:
 *
 * - `new-checkout` (boolean): staff (`email` ending `@acme.com`) get `on`,
 *   everyone else a 50/50 split by `userId`;
 * - `banner` (string): `welcome` for everyone, no rules;
 * - `upload-limit` (number): disabled, so `small` (its off variant);
 * - `theme` (json): `dark` for `plan = pro` or `org.plan = enterprise`, else `light`;
 * - `internal-tool` (boolean): on for everyone, server-side only.
 */
export async function seedFlags(live: LiveServer): Promise<void> {
  await live.flag(
    { key: 'new-checkout', kind: 'boolean', clientSide: true },
    {
      enabled: true,
      rules: [
        {
          conditions: [{ attribute: 'email', op: 'endsWith', values: ['@acme.com'] }],
          serve: { variant: 'on' },
        },
      ],
      fallthrough: {
        split: [
          { variant: 'on', weight: 5000 },
          { variant: 'off', weight: 5000 },
        ],
        by: 'userId',
      },
    },
  )
  await live.flag(
    {
      key: 'banner',
      kind: 'string',
      variants: { welcome: 'Welcome!', hello: 'Hello!' },
      offVariant: 'hello',
      clientSide: true,
    },
    { enabled: true, fallthrough: { variant: 'welcome' } },
  )
  await live.flag(
    {
      key: 'upload-limit',
      kind: 'number',
      variants: { small: 10, large: 100 },
      offVariant: 'small',
      clientSide: true,
    },
    { enabled: false, fallthrough: { variant: 'large' } },
  )
  await live.flag(
    {
      key: 'theme',
      kind: 'json',
      variants: { light: { mode: 'light' }, dark: { mode: 'dark', contrast: 'high' } },
      offVariant: 'light',
      clientSide: true,
    },
    {
      enabled: true,
      rules: [
        {
          conditions: [{ attribute: 'plan', op: 'eq', values: ['pro'] }],
          serve: { variant: 'dark' },
        },
        {
          conditions: [{ attribute: 'org.plan', op: 'eq', values: ['enterprise'] }],
          serve: { variant: 'dark' },
        },
      ],
      fallthrough: { variant: 'light' },
    },
  )
  await live.flag(
    { key: 'internal-tool', kind: 'boolean' },
    { enabled: true, fallthrough: { variant: 'on' } },
  )
}

/** One evaluation through a provider and what OpenFeature must answer. */
export interface EvaluationCase {
  name: string
  type: FlagValueType
  flagKey: string
  defaultValue: FlagValue
  context: EvaluationContext
  expected: { value: FlagValue; reason: string; variant?: string; errorCode?: string }
  /** The keys of `flagMetadata`. */
  metadata: string[]
}

/**
 * Every evaluation type and reason, and every error code an evaluation of a
 * ready provider can give. `user-1` is in the `on` half of `new-checkout`'s
 * split and `alice@example.com` in the `off` half (DESIGN.md's pinned buckets
 * 631 and 6218 of salt `new-checkout`).
 */
export const EVALUATION_CASES: EvaluationCase[] = [
  {
    name: 'a boolean a rule serves (TARGETING_MATCH)',
    type: 'boolean',
    flagKey: 'new-checkout',
    defaultValue: false,
    context: { targetingKey: 'alice@example.com', email: 'alice@acme.com' },
    expected: { value: true, variant: 'on', reason: 'TARGETING_MATCH' },
    metadata: ['flagVersion', 'ruleIndex'],
  },
  {
    name: 'a boolean the split serves on (SPLIT)',
    type: 'boolean',
    flagKey: 'new-checkout',
    defaultValue: false,
    context: { targetingKey: 'user-1' },
    expected: { value: true, variant: 'on', reason: 'SPLIT' },
    metadata: ['flagVersion'],
  },
  {
    name: 'a boolean the split serves off (SPLIT)',
    type: 'boolean',
    flagKey: 'new-checkout',
    defaultValue: true,
    context: { targetingKey: 'alice@example.com' },
    expected: { value: false, variant: 'off', reason: 'SPLIT' },
    metadata: ['flagVersion'],
  },
  {
    name: 'a string served to everyone (STATIC)',
    type: 'string',
    flagKey: 'banner',
    defaultValue: 'default',
    context: {},
    expected: { value: 'Welcome!', variant: 'welcome', reason: 'STATIC' },
    metadata: ['flagVersion'],
  },
  {
    name: 'a number of a disabled flag (DISABLED)',
    type: 'number',
    flagKey: 'upload-limit',
    defaultValue: 5,
    context: { targetingKey: 'user-1' },
    expected: { value: 10, variant: 'small', reason: 'DISABLED' },
    metadata: ['flagVersion'],
  },
  {
    name: 'an object a rule serves (TARGETING_MATCH)',
    type: 'object',
    flagKey: 'theme',
    defaultValue: {},
    context: { targetingKey: 'user-1', plan: 'pro' },
    expected: {
      value: { mode: 'dark', contrast: 'high' },
      variant: 'dark',
      reason: 'TARGETING_MATCH',
    },
    metadata: ['flagVersion', 'ruleIndex'],
  },
  {
    name: 'an object a rule on a nested attribute serves (TARGETING_MATCH)',
    type: 'object',
    flagKey: 'theme',
    defaultValue: {},
    context: { targetingKey: 'user-1', org: { plan: 'enterprise' } },
    expected: {
      value: { mode: 'dark', contrast: 'high' },
      variant: 'dark',
      reason: 'TARGETING_MATCH',
    },
    metadata: ['flagVersion', 'ruleIndex'],
  },
  {
    name: 'an object the fallthrough serves (DEFAULT)',
    type: 'object',
    flagKey: 'theme',
    defaultValue: {},
    context: { targetingKey: 'user-1', plan: 'free' },
    expected: { value: { mode: 'light' }, variant: 'light', reason: 'DEFAULT' },
    metadata: ['flagVersion'],
  },
  {
    name: 'FLAG_NOT_FOUND for a flag that does not exist',
    type: 'boolean',
    flagKey: 'no-such-flag',
    defaultValue: true,
    context: { targetingKey: 'user-1' },
    expected: { value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
    metadata: [],
  },
  {
    name: 'TYPE_MISMATCH for a number asked of a boolean flag',
    type: 'number',
    flagKey: 'new-checkout',
    defaultValue: 7,
    context: { targetingKey: 'user-1' },
    expected: { value: 7, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
    metadata: ['flagVersion'],
  },
  {
    name: 'TYPE_MISMATCH for an object asked of a string flag',
    type: 'object',
    flagKey: 'banner',
    defaultValue: { fallback: true },
    context: {},
    expected: { value: { fallback: true }, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
    metadata: ['flagVersion'],
  },
  {
    name: 'TARGETING_KEY_MISSING for a split without a targetingKey',
    type: 'boolean',
    flagKey: 'new-checkout',
    defaultValue: true,
    context: { email: 'someone@example.com' },
    expected: { value: true, reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' },
    metadata: ['flagVersion'],
  },
  {
    name: 'INVALID_CONTEXT for a list of objects',
    type: 'string',
    flagKey: 'banner',
    defaultValue: 'default',
    context: { targetingKey: 'user-1', devices: [{ id: 'phone' }] },
    expected: { value: 'default', reason: 'ERROR', errorCode: 'INVALID_CONTEXT' },
    metadata: [],
  },
  {
    name: 'INVALID_CONTEXT for a targetingKey that is not a string',
    type: 'string',
    flagKey: 'banner',
    defaultValue: 'default',
    context: { targetingKey: 42 } as unknown as EvaluationContext,
    expected: { value: 'default', reason: 'ERROR', errorCode: 'INVALID_CONTEXT' },
    metadata: [],
  },
]
