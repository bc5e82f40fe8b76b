import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { renderApp } from './testUtils/renderApp'
import { startTestServer, type TestServer } from './testUtils/testServer'

describe('App', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startTestServer()
  })
  afterEach(async () => {
    await s.close()
  })

  it('should sign in with an admin token, keep it in sessionStorage and list the flags', async () => {
    await s.call('POST', '/v1/admin/flags', {
      key: 'new-checkout',
      kind: 'boolean',
      tags: ['checkout'],
    })
    const user = userEvent.setup()
    renderApp(s.url, null)
    await user.type(screen.getByLabelText('Admin token'), s.admin)
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('heading', { name: 'Flags', level: 1 })).toBeTruthy()
    expect(sessionStorage.getItem('floodgate.adminToken')).toBe(s.admin)
    const row = (await screen.findByRole('link', { name: 'new-checkout' })).closest('tr')
    expect(row).not.toBeNull()
    await waitFor(() => expect(within(row as HTMLElement).getAllByText('off')).toHaveLength(3))
    await waitFor(() => expect(screen.getByTestId('live-status').textContent).toBe('Live'))
  })

  it('should refuse a token the server does not know, and one that is not an admin token', async () => {
    const user = userEvent.setup()
    renderApp(s.url, null)
    const input = screen.getByLabelText('Admin token')
    await user.type(input, 'fg_server_abc')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect((await screen.findByRole('alert')).textContent).toContain(
      'An admin token starts with fg_admin_',
    )
    await user.clear(input)
    await user.type(input, `fg_admin_${'x'.repeat(43)}`)
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect((await screen.findByRole('alert')).textContent).toContain(
      'The server does not accept this token',
    )
    expect(sessionStorage.getItem('floodgate.adminToken')).toBeNull()
  })

  it('should go back to sign-in, saying why, when the token is revoked elsewhere', async () => {
    const { token, secret } = await s.call<{ token: { id: string }; secret: string }>(
      'POST',
      '/v1/admin/tokens',
      {
        name: 'ops',
        scope: 'admin',
      },
    )
    renderApp(s.url, secret, '/tokens')
    await screen.findByRole('heading', { name: 'Tokens', level: 1 })
    await s.call('DELETE', `/v1/admin/tokens/${token.id}`)
    await s.call('POST', '/v1/admin/flags', { key: 'after-revoke', kind: 'boolean' })
    expect(await screen.findByText(/The server no longer accepts this token/)).toBeTruthy()
    expect(screen.getByLabelText('Admin token')).toBeTruthy()
    expect(sessionStorage.getItem('floodgate.adminToken')).toBeNull()
  })
})
