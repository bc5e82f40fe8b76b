import { FlagdWebProvider } from '@openfeature/flagd-web-provider'
import { OpenFeature } from '@openfeature/web-sdk'

export async function showNewCheckout(userId: string): Promise<boolean> {
  await OpenFeature.setContext({ targetingKey: userId })
  await OpenFeature.setProviderAndWait(new FlagdWebProvider({ host: 'flags.example.com' }))
  return OpenFeature.getClient().getBooleanValue('new-checkout', false)
}
