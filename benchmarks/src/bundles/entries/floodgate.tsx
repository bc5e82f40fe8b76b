import { FlagProvider, useFlag } from '@floodgate/react'

function Checkout() {
  return useFlag('new-checkout') ? <p>new checkout</p> : <p>checkout</p>
}

export function App({ userId }: { userId: string }) {
  return (
    <FlagProvider
      options={{ url: 'https://flags.example.com', token: 'fg_client_token' }}
      context={{ userId }}
    >
      <Checkout />
    </FlagProvider>
  )
}
