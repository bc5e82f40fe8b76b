import { createClient } from '@launchdarkly/js-client-sdk'

export async function showNewCheckout(userId: string): Promise<boolean> {
  const client = createClient('client-side-id', { kind: 'user', key: userId })
  await client.start()
  return client.variation('new-checkout', false) === true
}
