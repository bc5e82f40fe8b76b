import { createLDReactProvider, useBoolVariation } from '@launchdarkly/react-sdk'

function Checkout() {
  return useBoolVariation('new-checkout', false) ? <p>new checkout</p> : <p>checkout</p>
}

export function App({ userId }: { userId: string }) {
  const LDProvider = createLDReactProvider('client-side-id', { kind: 'user', key: userId })
  return (
    <LDProvider>
      <Checkout />
    </LDProvider>
  )
}
