import * as core from '@floodgate/core'
import { describe, expect, it } from 'vitest'
import * as react from './index'

describe('@floodgate/react', () => {
  it('should re-export every value of @floodgate/core, so an app installs one package', () => {
    const missing = Object.keys(core).filter(
      (name) =>
        (react as Record<string, unknown>)[name] !== (core as Record<string, unknown>)[name],
    )
    expect(missing).toEqual([])
  })
})
