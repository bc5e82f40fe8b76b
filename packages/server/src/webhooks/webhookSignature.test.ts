import { describe, expect, it } from 'vitest'
import { signWebhookPayload, verifyWebhookSignature } from './webhookSignature'

const secret = 'whsec_test'
const payload = '{"id":"evt_1","type":"ping"}'
const t = 1_900_000_000
const now = t * 1000

describe('verifyWebhookSignature', () => {
  it('should accept its own signature and refuse a tampered body or another secret', () => {
    const header = signWebhookPayload(secret, payload, t)
    expect(header).toMatch(/^t=1900000000,v1=[0-9a-f]{64}$/)
    expect(verifyWebhookSignature({ secret, payload, header, now })).toEqual({
      success: true,
      timestamp: t,
    })
    expect(verifyWebhookSignature({ secret, payload: `${payload} `, header, now })).toEqual({
      success: false,
      error: 'no v1 signature matches the payload',
    })
    expect(verifyWebhookSignature({ secret: 'whsec_other', payload, header, now }).success).toBe(
      false,
    )
  })

  it('should accept any of several v1 signatures', () => {
    const good = signWebhookPayload(secret, payload, t).split(',')[1]
    const header = `t=${t},v1=${'0'.repeat(64)},${good}`
    expect(verifyWebhookSignature({ secret, payload, header, now }).success).toBe(true)
  })

  it('should refuse old timestamps and malformed headers', () => {
    const header = signWebhookPayload(secret, payload, t)
    expect(verifyWebhookSignature({ secret, payload, header, now: now + 301_000 })).toEqual({
      success: false,
      error: 'the signature timestamp is 301 s off',
    })
    expect(
      verifyWebhookSignature({ secret, payload, header, now: now + 3600_000, toleranceSec: 7200 })
        .success,
    ).toBe(true)
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=x,v1=ab`]) {
      expect(verifyWebhookSignature({ secret, payload, header: bad, now }).success).toBe(false)
    }
  })
})
