import {
  InMemoryProvider,
  OpenFeature,
  OpenFeatureProvider,
  useBooleanFlagValue,
} from '@openfeature/react-sdk'

function Checkout() {
  return useBooleanFlagValue('new-checkout', false) ? <p>new checkout</p> : <p>checkout</p>
}

export function App({ userId }: { userId: string }) {
  void OpenFeature.setContext({ targetingKey: userId })
  void OpenFeature.setProviderAndWait(
    new InMemoryProvider({
      'new-checkout': {
        variants: { on: true, off: false },
        defaultVariant: 'off',
        disabled: false,
      },
    }),
  )
  return (
    <OpenFeatureProvider>
      <Checkout />
    </OpenFeatureProvider>
  )
}
