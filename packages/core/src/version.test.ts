import { describe, expect, it } from 'vitest'
import pkg from '../package.json'
import { VERSION } from './version'

describe('VERSION', () => {
  it('should equal the package version', () => {
    expect(VERSION).toBe(pkg.version)
  })
})
