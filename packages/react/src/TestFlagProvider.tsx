'use client'
import { type Context, FlagClient, type JsonValue, NAME_PATTERN } from '@floodgate/core'
import { type ReactNode, useMemo } from 'react'
import { FlagProvider } from './FlagProvider'

/** Props of `<TestFlagProvider>`. */
export interface TestFlagProviderProps {
  /**
   * The value each flag serves to everyone, by key. A boolean becomes a
   * boolean flag (variant `on` or `off`); a string that is a valid variant
   * name is served as the variant of that name (`theme: 'dark'` serves
   * variant `dark`); any other value as the variant `value`. Default: no
   * flags (every hook gives its default, with `FLAG_NOT_FOUND`).
   */
  flags?: Readonly<Record<string, JsonValue>>
  /** The context of evaluations, as `<FlagProvider context>`. Default: none. */
  context?: Context
  children?: ReactNode
}

/**
 * A `<FlagProvider>` for your components' tests: a real `FlagClient` over a
 * snapshot made from plain values, ready from the first render. A flag key
 * the server would reject throws a `SchemaError` naming it.
 *
 * @example
 * render(
 *   <TestFlagProvider flags={{ 'new-checkout': true, theme: 'dark' }}>
 *     <Checkout />
 *   </TestFlagProvider>,
 * )
 */
export function TestFlagProvider({ flags = {}, context, children }: TestFlagProviderProps) {
  // Keyed by content, so an inline `flags={{ … }}` does not make a new client on every render.
  const json = JSON.stringify(flags)
  const client = useMemo(() => {
    const test = new FlagClient({ sdk: { name: '@floodgate/react/test' } })
    test.setSnapshotFromJson(snapshotOf(JSON.parse(json) as Record<string, JsonValue>))
    return test
  }, [json])
  return (
    <FlagProvider client={client} context={context}>
      {children}
    </FlagProvider>
  )
}

function snapshotOf(values: Record<string, JsonValue>) {
  const flags = Object.entries(values).map(([key, value]) => [
    key,
    { key, version: 1, enabled: true, killed: false, salt: key, rules: [], ...served(value) },
  ])
  return { schemaVersion: 1, environment: 'test', version: 1, flags: Object.fromEntries(flags) }
}

/** A flag's kind, variants and serve for one value served to everyone. */
function served(value: JsonValue) {
  if (typeof value === 'boolean') {
    const variant = value ? 'on' : 'off'
    return {
      kind: 'boolean',
      variants: { on: true, off: false },
      offVariant: 'off',
      fallthrough: { variant },
    }
  }
  const variant = typeof value === 'string' && NAME_PATTERN.test(value) ? value : 'value'
  const kind = typeof value === 'string' || typeof value === 'number' ? typeof value : 'json'
  return { kind, variants: { [variant]: value }, offVariant: variant, fallthrough: { variant } }
}
