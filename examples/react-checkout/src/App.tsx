import { Flag, useFlagsStatus } from '@floodgate/react'
import { LegacyCheckout } from './LegacyCheckout'
import { NewCheckout } from './NewCheckout'

/** The shop's checkout page: the new checkout behind `new-checkout`, the legacy one as the fallback. */
export function App({ user }: { user: string }) {
  const status = useFlagsStatus()
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 560, margin: '2rem auto' }}>
      <h1>Checkout</h1>
      <p>
        Signed in as <b>{user}</b> · flags: <span data-testid="status">{status.status}</span>
      </p>
      <Flag name="new-checkout" fallback={<LegacyCheckout />}>
        <NewCheckout />
      </Flag>
    </main>
  )
}
