/** A webhook URL that cannot be used; `code` is `invalid_webhook_url`. */
export class WebhookUrlError extends Error {
  readonly code = 'invalid_webhook_url'

  constructor(message: string) {
    super(message)
    this.name = 'WebhookUrlError'
  }
}

/**
 * Parses a webhook URL, accepting only absolute http and https URLs without
 * credentials (a secret in the URL would show in every listing and log).
 */
export function parseWebhookUrl(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new WebhookUrlError(`"${value}" is not an absolute URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookUrlError(
      `webhook URLs must use http or https, not ${url.protocol.slice(0, -1)}`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new WebhookUrlError(
      'webhook URLs must not carry credentials; the signature authenticates deliveries',
    )
  }
  return url
}
