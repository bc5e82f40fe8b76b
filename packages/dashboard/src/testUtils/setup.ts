import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

// testing-library unmounts after each test by itself only when test globals are on; they are not.
afterEach(() => {
  cleanup()
  sessionStorage.clear()
  history.replaceState(null, '', '/')
})
