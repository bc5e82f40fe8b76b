import { cleanup, configure } from '@testing-library/react'
import { afterEach } from 'vitest'

// Pages wait on a real server sharing two cores with the rest of the suite: findBy… and
// waitFor get as long as a loaded machine needs (they return as soon as the page is there).
configure({ asyncUtilTimeout: 10_000 })

// testing-library unmounts after each test by itself only when test globals are on; they are not.
afterEach(() => {
  cleanup()
  sessionStorage.clear()
  history.replaceState(null, '', '/')
})
