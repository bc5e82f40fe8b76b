import flagsmith from 'flagsmith'
import { FlagsmithProvider, useFlags } from 'flagsmith/react'

function Checkout() {
  const { new_checkout } = useFlags(['new_checkout'])
  return new_checkout.enabled ? <p>new checkout</p> : <p>checkout</p>
}

export function App({ userId }: { userId: string }) {
  return (
    <FlagsmithProvider
      flagsmith={flagsmith}
      options={{ environmentID: 'environment-key', identity: userId }}
    >
      <Checkout />
    </FlagsmithProvider>
  )
}
