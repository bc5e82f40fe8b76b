import { FlagdWebProvider } from '@openfeature/flagd-web-provider'
import { OpenFeature, OpenFeatureProvider, useBooleanFlagValue } from '@openfeature/react-sdk'

function Checkout() {
  return useBooleanFlagValue('new-checkout', false) ? <p>new checkout</p> : <p>checkout</p>
}

export function App({ userId }: { userId: string }) {
  void OpenFeature.setContext({ targetingKey: userId })
  void OpenFeature.setProviderAndWait(new FlagdWebProvider({ host: 'flags.example.com' }))
  return (
    <OpenFeatureProvider>
      <Checkout />
    </OpenFeatureProvider>
  )
}
