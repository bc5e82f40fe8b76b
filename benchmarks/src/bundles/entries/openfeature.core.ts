import { InMemoryProvider, OpenFeature } from '@openfeature/web-sdk'

export async function showNewCheckout(userId: string): Promise<boolean> {
  await OpenFeature.setContext({ targetingKey: userId })
  await OpenFeature.setProviderAndWait(
    new InMemoryProvider({
      'new-checkout': {
        variants: { on: true, off: false },
        defaultVariant: 'off',
        disabled: false,
      },
    }),
  )
  return OpenFeature.getClient().getBooleanValue('new-checkout', false)
}
