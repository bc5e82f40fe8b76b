import { FlagProvider, useFlag } from '@unleash/proxy-client-react'

function Checkout() {
  return useFlag('new-checkout') ? <p>new checkout</p> : <p>checkout</p>
}

export function App({ userId }: { userId: string }) {
  return (
    <FlagProvider
      config={{
        url: 'https://flags.example.com/api/frontend',
        clientKey: 'frontend-token',
        appName: 'shop',
        context: { userId },
      }}
    >
      <Checkout />
    </FlagProvider>
  )
}
