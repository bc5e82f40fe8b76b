/**
 * Silences what React and jsdom print about a render error a test provokes
 * on purpose (React logs it, React 18 also reports it to `window`), and
 * restores both.
 */
export function quietRenderErrors(): { restore: () => void } {
  const original = console.error
  const prevent = (event: Event) => event.preventDefault()
  console.error = () => {}
  window.addEventListener('error', prevent)
  return {
    restore: () => {
      console.error = original
      window.removeEventListener('error', prevent)
    },
  }
}
