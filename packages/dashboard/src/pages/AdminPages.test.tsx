import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TokenRecord } from '../api/types'
import { renderApp } from '../testUtils/renderApp'
import { startTestServer, type TestServer } from '../testUtils/testServer'

describe('AuditPage, TokensPage and WebhooksPage', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startTestServer()
  })
  afterEach(async () => {
    await s.close()
  })

  it('should filter the audit log and show who did what with the before and after', async () => {
    await s.call('POST', '/v1/admin/flags', { key: 'a', kind: 'boolean' })
    await s.call('POST', '/v1/admin/environments/staging/flags/a/kill', {
      reason: 'broken in staging',
    })
    await s.call('POST', '/v1/admin/environments/production/flags/a/rollout', { percent: 5 })
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/audit')
    const log = () => screen.getByRole('table', { name: 'Audit entries, newest first' })
    await waitFor(() => expect(within(log()).getByText('config.kill')).toBeTruthy())
    expect(within(log()).getByText('config.rollout')).toBeTruthy()
    await user.selectOptions(screen.getByLabelText('Action'), 'config.kill')
    await user.click(screen.getByRole('button', { name: 'Filter' }))
    await waitFor(() => expect(within(log()).queryByText('config.rollout')).toBeNull())
    expect(location.search).toBe('?action=config.kill')
    const row = within(log()).getByText('config.kill').closest('tr') as HTMLElement
    expect(row.textContent).toContain('broken in staging')
    expect(within(row).getByText('killed').closest('tr')?.textContent).toBe('killedfalsetrue')
  })

  it('should show a new token secret once, list the token and revoke it after a confirmation', async () => {
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/tokens')
    await user.type(await screen.findByLabelText('Name'), 'checkout-service')
    await user.selectOptions(screen.getByLabelText('Environment'), 'staging')
    await user.click(screen.getByRole('button', { name: 'Create token' }))
    const secret = (await screen.findByTestId('secret')).textContent ?? ''
    expect(secret).toMatch(/^fg_server_/)
    const snapshot = await fetch(`${s.url}/v1/sdk/snapshot`, {
      headers: { authorization: `Bearer ${secret}` },
    })
    expect((await snapshot.json()).environment).toBe('staging')
    await user.click(screen.getByRole('button', { name: 'I have stored it' }))
    expect(screen.queryByText(secret)).toBeNull()

    await user.click(await screen.findByRole('button', { name: 'Revoke checkout-service' }))
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Revoke the token' }),
    )
    await waitFor(async () => {
      const { tokens } = await s.call<{ tokens: TokenRecord[] }>('GET', '/v1/admin/tokens')
      expect(tokens.find((t) => t.name === 'checkout-service')?.revokedAt).not.toBeNull()
    })
    expect(await screen.findByText(/^revoked /)).toBeTruthy()
  })

  it("should create a webhook with its secret shown once, and show the server's problem for a bad URL", async () => {
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/webhooks')
    await user.type(await screen.findByLabelText('URL'), 'ftp://example.com/hook')
    await user.click(screen.getByRole('button', { name: 'Create webhook' }))
    const problem = await screen.findByText('The webhook was not created')
    expect(problem.closest('[role="alert"]')?.textContent).toContain(
      'webhook URLs must use http or https',
    )

    // The label now carries the server's message too.
    await user.clear(screen.getByLabelText(/^URL/))
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/hook')
    await user.click(screen.getByLabelText('rollout.reverted'))
    await user.click(screen.getByRole('button', { name: 'Create webhook' }))
    expect((await screen.findByTestId('secret')).textContent).toMatch(/^whsec_/)
    const row = (await screen.findByText('http://127.0.0.1:9/hook')).closest('tr') as HTMLElement
    expect(row.textContent).toContain('rollout.reverted')
    await user.click(within(row).getByRole('button', { name: 'Disable' }))
    await waitFor(() => expect(row.textContent).toContain('disabled'))
  })
})
