/** The checkout everyone had before: what `<Flag>` falls back to. */
export function LegacyCheckout() {
  return (
    <section aria-label="legacy checkout" style={{ border: '2px solid #999', padding: '1rem' }}>
      <h2>Legacy checkout</h2>
      <p>Step 1 of 4: your address.</p>
      <button type="button">Continue</button>
    </section>
  )
}
