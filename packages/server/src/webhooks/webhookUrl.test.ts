import { describe, expect, it } from 'vitest'
import { parseWebhookUrl, WebhookUrlError } from './webhookUrl'

describe('parseWebhookUrl', () => {
  it('should accept http and https URLs', () => {
    expect(parseWebhookUrl('https://hooks.example.com/a?b=1').host).toBe('hooks.example.com')
    expect(parseWebhookUrl('http://127.0.0.1:8080/hook').port).toBe('8080')
  })

  it('should refuse other schemes, relative URLs and credentials with a clear error', () => {
    const cases: Array<[string, string]> = [
      ['ftp://example.com/x', 'webhook URLs must use http or https, not ftp'],
      ['file:///etc/passwd', 'webhook URLs must use http or https, not file'],
      ['/hook', '"/hook" is not an absolute URL'],
      [
        'https://user:pw@example.com/',
        'webhook URLs must not carry credentials; the signature authenticates deliveries',
      ],
    ]
    for (const [url, message] of cases) {
      const error = (() => {
        try {
          parseWebhookUrl(url)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(WebhookUrlError)
      expect(error).toMatchObject({ code: 'invalid_webhook_url', message })
    }
  })
})
