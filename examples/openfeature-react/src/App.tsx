import { useBooleanFlagDetails, useContextMutator } from '@openfeature/react-sdk'
import { useState } from 'react'

/** The checkout page, reading `new-checkout` through OpenFeature only. */
export function App() {
  const { value, reason, variant } = useBooleanFlagDetails('new-checkout', false, {
    suspendUntilReady: true,
  })
  const { setContext } = useContextMutator()
  const [user, setUser] = useState(
    () => new URLSearchParams(location.search).get('user') ?? 'user-1',
  )
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 560, margin: '2rem auto' }}>
      <h1>Checkout</h1>
      <h2>{value ? 'New checkout' : 'Legacy checkout'}</h2>
      <p>
        Served <b data-testid="variant">{variant ?? 'default'}</b> to <b>{user}</b> (reason{' '}
        <span data-testid="reason">{reason}</span>)
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          const next = String(new FormData(event.currentTarget).get('user') ?? '').trim()
          if (next === '') return
          setUser(next)
          void setContext({ targetingKey: next })
        }}
      >
        <label>
          User <input name="user" defaultValue={user} />
        </label>{' '}
        <button type="submit">Switch user</button>
      </form>
    </main>
  )
}
