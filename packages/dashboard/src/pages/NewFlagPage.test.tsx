import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StoredFlag } from '../api/types'
import { renderApp } from '../testUtils/renderApp'
import { startTestServer, type TestServer } from '../testUtils/testServer'

describe('NewFlagPage', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startTestServer()
  })
  afterEach(async () => {
    await s.close()
  })

  it("should show the server's problem at the key, then create the flag and open its page", async () => {
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/flags')
    await user.click(await screen.findByRole('link', { name: 'New flag' }))
    await user.type(screen.getByLabelText(/^Key/), 'Bad Key')
    await user.selectOptions(screen.getByLabelText('Kind'), 'string')
    await user.type(screen.getByLabelText('Tags (comma-separated)'), 'checkout, web')
    await user.click(screen.getByRole('button', { name: 'Create flag' }))
    const problem = await screen.findByText('The flag was not created')
    expect(problem.closest('[role="alert"]')?.textContent).toContain('/key')
    const key = screen.getByLabelText(/^Key/)
    expect(key.getAttribute('aria-invalid')).toBe('true')
    expect(key.closest('label')?.textContent).toContain('must match')

    await user.clear(key)
    await user.type(key, 'checkout-copy')
    await user.click(screen.getByRole('button', { name: 'Create flag' }))
    expect(await screen.findByRole('heading', { name: 'checkout-copy', level: 1 })).toBeTruthy()
    expect(location.pathname).toBe('/flags/checkout-copy')
    const flag = await s.call<StoredFlag>('GET', '/v1/admin/flags/checkout-copy')
    expect(flag).toMatchObject({
      kind: 'string',
      variants: { control: 'control', treatment: 'treatment' },
      offVariant: 'control',
      tags: ['checkout', 'web'],
      clientSide: false,
    })
    expect(
      within(screen.getByRole('navigation', { name: 'Environment' })).getAllByRole('link'),
    ).toHaveLength(3)
  })

  it('should refuse a number variant that is not a number before sending anything', async () => {
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/flags/new')
    await user.type(await screen.findByLabelText(/^Key/), 'limit')
    await user.selectOptions(screen.getByLabelText('Kind'), 'number')
    const [first] = screen.getAllByLabelText('Value (number)')
    if (!first) throw new Error('no variant row')
    await user.clear(first)
    await user.type(first, 'ten')
    await user.click(screen.getByRole('button', { name: 'Create flag' }))
    expect((await screen.findByRole('alert')).textContent).toBe('Variant "low": must be a number')
    expect((await s.call<{ flags: unknown[] }>('GET', '/v1/admin/flags')).flags).toEqual([])
  })
})
