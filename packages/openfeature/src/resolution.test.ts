import { ErrorCode, Reason } from '@floodgate/core'
import { ErrorCode as OpenFeatureErrorCode, StandardResolutionReasons } from '@openfeature/core'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, REASONS } from './resolution'

describe('REASONS', () => {
  it("should map every Floodgate reason to OpenFeature's of the same name, KILLED as itself", () => {
    expect(Object.keys(REASONS).sort()).toEqual(Object.values(Reason).sort())
    for (const [reason, mapped] of Object.entries(REASONS)) {
      expect(mapped).toBe(reason)
      if (reason !== 'KILLED') expect(Object.values(StandardResolutionReasons)).toContain(mapped)
    }
    expect(Object.values(StandardResolutionReasons)).not.toContain('KILLED')
  })
})

describe('ERROR_CODES', () => {
  it("should map every Floodgate error code one to one to OpenFeature's", () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(Object.values(ErrorCode).sort())
    const mapped = Object.values(ERROR_CODES)
    expect(new Set(mapped).size).toBe(mapped.length)
    for (const [code, openFeature] of Object.entries(ERROR_CODES)) {
      expect(openFeature).toBe(code)
      expect(Object.values(OpenFeatureErrorCode)).toContain(openFeature)
    }
  })
})
