import type { Logger } from '@floodgate/core'

/** A logger that keeps what it is told. */
export function recordingLogger(): Logger & { messages: string[] } {
  const messages: string[] = []
  return {
    messages,
    warn: (message) => {
      messages.push(message)
    },
    error: (message) => {
      messages.push(message)
    },
  }
}
