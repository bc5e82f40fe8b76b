import { Connection, FlagClient } from '@floodgate/core'

export async function showNewCheckout(userId: string): Promise<boolean> {
  const client = new FlagClient({ context: { userId } })
  await new Connection(client, {
    url: 'https://flags.example.com',
    token: 'fg_client_token',
  }).start().firstSync
  return client.isEnabled('new-checkout')
}
