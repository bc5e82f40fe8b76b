/** What `watchPage` drives: a connection or a client with polling and signals. */
export interface PageAware {
  pausePolling(): void
  resumePolling(): void
  flushSignals(): Promise<void>
}

/**
 * Pauses polling while the page is hidden and flushes signals as it goes
 * (they leave with `keepalive`, so a closing page still delivers them);
 * polls at once when the page is shown again. Returns the unwatch. Outside
 * a browser it does nothing.
 */
export function watchPage(target: PageAware): () => void {
  if (typeof document === 'undefined' || typeof window === 'undefined') return () => {}
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      target.pausePolling()
      void target.flushSignals()
    } else {
      target.resumePolling()
    }
  }
  // `pagehide` also fires where a closing page skips `visibilitychange` (older Safari).
  const onPageHide = () => void target.flushSignals()
  document.addEventListener('visibilitychange', onVisibility)
  window.addEventListener('pagehide', onPageHide)
  if (document.visibilityState === 'hidden') target.pausePolling()
  return () => {
    document.removeEventListener('visibilitychange', onVisibility)
    window.removeEventListener('pagehide', onPageHide)
  }
}
