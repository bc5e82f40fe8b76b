import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { renderApp } from '../testUtils/renderApp'
import { startTestServer, type TestServer } from '../testUtils/testServer'

describe('FlagsPage', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startTestServer()
    for (const [key, description, tags] of [
      ['new-checkout', 'The new checkout flow', ['checkout']],
      ['search-v2', 'Semantic search', ['search']],
      ['dark-mode', 'Dark theme', ['web']],
    ] as const) {
      await s.call('POST', '/v1/admin/flags', { key, kind: 'boolean', description, tags })
    }
    await s.call('POST', '/v1/admin/environments/production/flags/new-checkout/rollout', {
      percent: 25,
    })
    await s.call('POST', '/v1/admin/environments/production/flags/dark-mode/kill', {
      reason: 'contrast bug',
    })
  })
  afterEach(async () => {
    await s.close()
  })

  const shown = () =>
    screen
      .queryAllByRole('link')
      .map((link) => link.textContent)
      .filter((text) => ['new-checkout', 'search-v2', 'dark-mode'].includes(text ?? ''))
      .sort()

  it('should show each environment’s state, and narrow the list by search and by tag', async () => {
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/flags')
    await waitFor(() => expect(shown()).toEqual(['dark-mode', 'new-checkout', 'search-v2']))
    expect(await screen.findByText('25 % on')).toBeTruthy()
    expect(screen.getByText('Killed')).toBeTruthy()

    await user.type(screen.getByLabelText('Search'), 'semantic')
    await waitFor(() => expect(shown()).toEqual(['search-v2']))
    await user.clear(screen.getByLabelText('Search'))
    await waitFor(() => expect(shown()).toHaveLength(3))

    await user.selectOptions(screen.getByLabelText('Tag'), 'checkout')
    await waitFor(() => expect(shown()).toEqual(['new-checkout']))
  })
})
