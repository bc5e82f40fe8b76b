import { Flag, useFlagsStatus } from '@floodgate/react'
import { LegacyCheckout } from './LegacyCheckout'
import { NewCheckout } from './NewCheckout'

/** The shop's checkout page: the new checkout behind `new-checkout`, the legacy one as the fallback. */
export function App({ user, mode }: { user: string; mode: 'remote' | 'local' }) {
  const status = useFlagsStatus()
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 560, margin: '2rem auto' }}>
      <h1>Checkout</h1>
      <p>
        Signed in as <b>{user}</b> · flags: <span data-testid="status">{status.status}</span>,
        evaluated{' '}
        <span data-testid="mode">{mode === 'remote' ? 'by the server' : 'in the page'}</span>
      </p>
      <Flag name="new-checkout" fallback={<LegacyCheckout />}>
        <NewCheckout />
      </Flag>
    </main>
  )
}
