import { useState } from 'react'

/**
 * The checkout being rolled out. "Simulate a crash" makes its next render
 * throw, as a bug would: `<Flag>` shows the legacy checkout instead and
 * reports the error for the variant this user was served.
 */
export function NewCheckout() {
  const [crashed, setCrashed] = useState(false)
  if (crashed) throw new Error('the new checkout crashed (simulated)')
  return (
    <section aria-label="new checkout" style={{ border: '2px solid #2a7', padding: '1rem' }}>
      <h2>New checkout</h2>
      <p>One page, saved cards, pay in one click.</p>
      <button type="button">Pay now</button>{' '}
      <button type="button" onClick={() => setCrashed(true)}>
        Simulate a crash
      </button>
    </section>
  )
}
