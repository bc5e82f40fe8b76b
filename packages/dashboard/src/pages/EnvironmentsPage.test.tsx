import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConfigResponse } from '../api/types'
import { renderApp } from '../testUtils/renderApp'
import { startTestServer, type TestServer } from '../testUtils/testServer'

const config = (env: string) => `/v1/admin/environments/${env}/flags/new-checkout`

describe('EnvironmentsPage', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startTestServer()
    await s.call('POST', '/v1/admin/flags', { key: 'new-checkout', kind: 'boolean' })
    await s.call('POST', '/v1/admin/flags', { key: 'same-everywhere', kind: 'boolean' })
    await s.call('POST', `${config('development')}/rollout`, { percent: 50 })
    await s.call('POST', `${config('staging')}/rollout`, { percent: 50 })
    await s.call('POST', `${config('production')}/kill`, { reason: 'incident 42' })
  })
  afterEach(async () => {
    await s.close()
  })

  it('should highlight drift, and promote a flag to the next environment after showing the diff', async () => {
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/environments')
    await waitFor(() =>
      expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual([
        'Flag',
        'development',
        'staging',
        'production',
        'Drift',
      ]),
    )
    const drifted = (await screen.findByRole('link', { name: 'new-checkout' })).closest(
      'tr',
    ) as HTMLElement
    await waitFor(() => expect(within(drifted).getByText('differs')).toBeTruthy())
    const same = screen.getByRole('link', { name: 'same-everywhere' }).closest('tr') as HTMLElement
    expect(within(same).getByText('same')).toBeTruthy()

    await user.click(screen.getByLabelText(/Only flags whose targeting differs/))
    await waitFor(() => expect(screen.queryByRole('link', { name: 'same-everywhere' })).toBeNull())

    await user.click(screen.getByRole('button', { name: 'Compare and promote new-checkout' }))
    await user.selectOptions(screen.getByLabelText('From'), 'staging')
    await user.selectOptions(screen.getByLabelText('To'), 'production')
    const diff = screen.getByRole('table', { name: 'What promoting changes in production' })
    expect(within(diff).getByText('enabled').closest('tr')?.textContent).toBe('enabledfalsetrue')
    expect(screen.getByText('new-checkout is killed in production; it stays killed.')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Promote to production…' }))
    await user.click(
      within(screen.getByRole('dialog')).getByRole('button', { name: 'Promote to production' }),
    )
    expect(await screen.findByText(/Promoted new-checkout from staging to production/)).toBeTruthy()
    const [staging, production] = await Promise.all([
      s.call<ConfigResponse>('GET', config('staging')),
      s.call<ConfigResponse>('GET', config('production')),
    ])
    expect(production.config).toEqual({
      ...staging.config,
      killed: true,
      killReason: 'incident 42',
    })
  })
})
