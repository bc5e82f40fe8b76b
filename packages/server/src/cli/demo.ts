import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type FlagDefinitionInput, FlagDefinitionSchema, type Serve } from '@floodgate/core'
import type { Store } from '../store/store'
import { createTokenSecret, hashTokenSecret, tokenHint } from '../tokenSecret'
import type { Actor, TokenScope } from '../types'

/** The demo's tokens, kept in a git-ignored file next to the database so a restart can show them again. */
export interface DemoTokens {
  admin: string
  server: string
  client: string
}

const DEMO: Actor = { name: 'demo', tokenId: null }
const DEMO_ENVIRONMENT = 'development'

/** Where the demo keeps its tokens: `demo-tokens.json` in the database's directory. */
export function demoTokensPath(dbDir: string): string {
  return join(dbDir, 'demo-tokens.json')
}

/** The demo tokens saved by an earlier start, if any. */
export function readDemoTokens(dbDir: string): Partial<DemoTokens> {
  const path = demoTokensPath(dbDir)
  if (!existsSync(path)) return {}
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<DemoTokens>
  } catch {
    return {}
  }
}

/**
 * Seeds the demo once: the flag `new-checkout` rolled out per environment
 * (client-side too, for the React example), the browser flag `dark-mode`,
 * and a server and a client token for
 * development. Idempotent: existing flags are left alone, saved tokens that
 * still work are reused, missing ones are created and saved.
 */
export async function seedDemo(
  store: Store,
  dbDir: string,
  adminSecret: string,
): Promise<DemoTokens> {
  const saved = readDemoTokens(dbDir)
  const tokens: DemoTokens = {
    admin: adminSecret,
    server: await ensureToken(store, saved.server, 'server', 'demo-server'),
    client: await ensureToken(store, saved.client, 'client', 'demo-client'),
  }
  writeFileSync(demoTokensPath(dbDir), `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 })

  await ensureFlag(
    store,
    {
      key: 'new-checkout',
      kind: 'boolean',
      description: 'The new checkout flow (demo)',
      tags: ['demo'],
      // examples/react-checkout reads it in the browser, with the client token.
      clientSide: true,
    },
    { development: 50, staging: 25, production: 5 },
  )
  await ensureFlag(
    store,
    {
      key: 'dark-mode',
      kind: 'boolean',
      description: 'Dark theme in the browser (demo)',
      tags: ['demo'],
      clientSide: true,
    },
    { development: 100 },
  )
  return tokens
}

async function ensureToken(
  store: Store,
  secret: string | undefined,
  scope: TokenScope,
  name: string,
): Promise<string> {
  if (secret !== undefined) {
    const existing = await store.findTokenByHash(hashTokenSecret(secret))
    if (existing && existing.revokedAt === null && existing.scope === scope) return secret
  }
  const created = createTokenSecret(scope)
  await store.createToken(
    {
      name,
      scope,
      environment: DEMO_ENVIRONMENT,
      hash: hashTokenSecret(created),
      hint: tokenHint(created),
    },
    DEMO,
  )
  return created
}

async function ensureFlag(
  store: Store,
  input: FlagDefinitionInput,
  percents: Record<string, number>,
): Promise<void> {
  const definition = FlagDefinitionSchema.parse(input)
  if (await store.getFlag(definition.key)) return
  await store.createFlag(definition, DEMO)
  for (const [environment, percent] of Object.entries(percents)) {
    const fallthrough: Serve = {
      split: [
        { variant: 'on', weight: percent * 100 },
        { variant: 'off', weight: 10000 - percent * 100 },
      ],
      by: 'userId',
    }
    await store.updateFlagConfig(environment, definition.key, {
      action: 'config.rollout',
      actor: DEMO,
      reason: 'demo seed',
      apply: (current) => ({ ...current.config, enabled: true, fallthrough }),
    })
  }
}
