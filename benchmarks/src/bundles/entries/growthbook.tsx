import { GrowthBook } from '@growthbook/growthbook'
import { GrowthBookProvider, useFeatureIsOn } from '@growthbook/growthbook-react'

function Checkout() {
  return useFeatureIsOn('new-checkout') ? <p>new checkout</p> : <p>checkout</p>
}

export function App({ userId }: { userId: string }) {
  const gb = new GrowthBook({
    apiHost: 'https://flags.example.com',
    clientKey: 'sdk-key',
    attributes: { id: userId },
  })
  void gb.init({ streaming: true })
  return (
    <GrowthBookProvider growthbook={gb}>
      <Checkout />
    </GrowthBookProvider>
  )
}
