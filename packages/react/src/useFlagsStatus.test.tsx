import { type ClientStatus, FlagClient, FlagSdkError } from '@floodgate/core'
import { act, render, renderHook } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { FlagProvider } from './FlagProvider'
import { booleanFlag, patch, snapshotOf } from './testUtils/fixtures'
import { Probe } from './testUtils/Probe'
import { quietRenderErrors } from './testUtils/quiet'
import { useFlagsStatus } from './useFlagsStatus'

const quietLogger = { warn: () => {}, error: () => {} }

function trackStatus(client: FlagClient): ClientStatus[] {
  const seen: ClientStatus[] = []
  render(
    <FlagProvider client={client}>
      <Probe read={useFlagsStatus} seen={seen} />
    </FlagProvider>,
  )
  return seen
}

describe('useFlagsStatus', () => {
  it('should tell loading, ready and stale apart, re-rendering only when the status changes', () => {
    const client = new FlagClient({ logger: quietLogger })
    const seen = trackStatus(client)
    act(() => {
      client.setSnapshot(snapshotOf([booleanFlag('a')]))
    })
    act(() => {
      client.applyPatch(patch(2, 'a', booleanFlag('a', { enabled: false })))
    })
    act(() => client.reportError(new FlagSdkError('HTTP_503', 'stream lost')))
    act(() => {
      client.setSnapshot(snapshotOf([booleanFlag('a')], 3))
    })
    expect(seen.map((s) => s.status)).toEqual(['loading', 'ready', 'ready', 'stale', 'ready'])
    expect(seen[2]).toEqual({ status: 'ready', version: 2 })
    const stale = seen[3]
    expect(stale?.status === 'stale' && stale.error?.code).toBe('HTTP_503')
  })

  it('should tell error (no snapshot, and getting one failed) from loading', () => {
    const client = new FlagClient({ logger: quietLogger })
    const seen = trackStatus(client)
    act(() => client.reportError(new Error('ECONNREFUSED')))
    expect(seen.map((s) => s.status)).toEqual(['loading', 'error'])
    const last = seen[1]
    expect(last?.status === 'error' && last.error.message).toBe('ECONNREFUSED')
  })

  it('should throw an error that says to add a FlagProvider when there is none', () => {
    const quiet = quietRenderErrors()
    try {
      expect(() => renderHook(() => useFlagsStatus())).toThrow(/<FlagProvider/)
    } finally {
      quiet.restore()
    }
  })
})
