import { type FormEvent, type ReactNode, useId, useState } from 'react'
import { Dialog } from './Dialog'
import { ProblemAlert } from './ProblemAlert'

/**
 * Asks before a change: what it does, an optional or required reason, and
 * the server's problem if it refuses (the dialog then stays open).
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  reason,
  onConfirm,
  onClose,
}: {
  title: string
  children?: ReactNode
  confirmLabel: string
  danger?: boolean
  /** Ask for a reason; `required` refuses to confirm without one. */
  reason?: { label: string; required: boolean }
  onConfirm: (reason: string) => Promise<unknown>
  onClose: () => void
}) {
  const reasonId = useId()
  const [text, setText] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (reason?.required && text.trim() === '') {
      setError(new Error(`${reason.label} is required`))
      return
    }
    setBusy(true)
    setError(null)
    try {
      await onConfirm(text.trim())
      onClose()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog title={title} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        {children}
        {reason ? (
          <label htmlFor={reasonId} className="field">
            <span>
              {reason.label}
              {reason.required ? ' (required)' : ' (optional)'}
            </span>
            <input
              id={reasonId}
              data-autofocus
              value={text}
              required={reason.required}
              maxLength={1024}
              onChange={(e) => setText(e.target.value)}
            />
          </label>
        ) : null}
        <ProblemAlert error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
