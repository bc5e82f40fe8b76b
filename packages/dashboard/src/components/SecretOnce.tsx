import { useEffect, useRef, useState } from 'react'

/** A secret the server shows only in this answer: shown once, with a copy button, until dismissed. */
export function SecretOnce({
  label,
  secret,
  onDismiss,
}: {
  label: string
  secret: string
  onDismiss: () => void
}) {
  const ref = useRef<HTMLDivElement>(null)
  const [copied, setCopied] = useState(false)
  useEffect(() => ref.current?.focus(), [])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }
  return (
    <div className="secret" ref={ref} tabIndex={-1} role="status" aria-label={label}>
      <p>
        <strong>{label}</strong> — copy it now: it is not shown again and cannot be recovered.
      </p>
      <code data-testid="secret">{secret}</code>
      <div className="row">
        <button type="button" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
    </div>
  )
}
