import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { describe, expect, inject, it } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major version a test project promises to run against. */
    reactMajor: string
  }
}

describe('react', () => {
  it('should be the major version this test project runs against, react-dom alike', () => {
    expect(version.split('.')[0]).toBe(inject('reactMajor'))
    expect(domVersion).toBe(version)
  })
})
