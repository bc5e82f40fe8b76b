import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConfigResponse } from '../api/types'
import { renderApp } from '../testUtils/renderApp'
import { startTestServer, type TestServer } from '../testUtils/testServer'

const CONFIG = '/v1/admin/environments/production/flags/new-checkout'

describe('FlagPage', () => {
  let s: TestServer
  beforeEach(async () => {
    s = await startTestServer()
    await s.call('POST', '/v1/admin/flags', { key: 'new-checkout', kind: 'boolean' })
    await s.call('POST', `${CONFIG}/rollout`, { percent: 50 })
  })
  afterEach(async () => {
    await s.close()
  })

  const config = () => s.call<ConfigResponse>('GET', CONFIG)
  const open = async () => {
    renderApp(s.url, s.admin, '/flags/new-checkout?env=production')
    return screen.findByRole('heading', { name: /In production/ })
  }

  it('should kill only with a reason, show the reason, and unkill to exactly what was there', async () => {
    const user = userEvent.setup()
    await open()
    const before = (await config()).config
    await user.click(screen.getByRole('button', { name: 'Kill…' }))
    const dialog = screen.getByRole('dialog', { name: 'Kill new-checkout in production?' })
    expect(document.activeElement).toBe(within(dialog).getByLabelText(/Reason/))
    await user.click(within(dialog).getByRole('button', { name: 'Kill the flag' }))
    expect(within(dialog).getByRole('alert').textContent).toContain('Reason is required')
    expect((await config()).config.killed).toBe(false)

    await user.type(within(dialog).getByLabelText(/Reason/), '5xx spike')
    await user.click(within(dialog).getByRole('button', { name: 'Kill the flag' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(await screen.findByText('5xx spike')).toBeTruthy()
    expect((await config()).config).toMatchObject({ killed: true, killReason: '5xx spike' })

    await user.click(screen.getByRole('button', { name: 'Unkill…' }))
    const undo = screen.getByRole('dialog', { name: 'Unkill new-checkout in production?' })
    expect(undo.textContent).toContain('5xx spike')
    await user.type(within(undo).getByLabelText(/Reason/), 'fixed')
    await user.click(within(undo).getByRole('button', { name: 'Unkill the flag' }))
    await screen.findByRole('button', { name: 'Kill…' })
    expect((await config()).config).toEqual(before)
  })

  it('should set the percentage after a confirmation, and change nothing on cancel', async () => {
    const user = userEvent.setup()
    await open()
    const input = screen.getByLabelText('Percentage served on')
    await user.clear(input)
    await user.type(input, '25')
    await user.click(screen.getByRole('button', { name: 'Set percentage…' }))
    const dialog = screen.getByRole('dialog', { name: 'Set new-checkout to 25 % in production?' })
    expect(dialog.textContent).toContain('now 50 %')
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    expect((await config()).version).toBe(2)

    await user.click(screen.getByRole('button', { name: 'Set percentage…' }))
    await user.click(screen.getByRole('button', { name: 'Serve 25 %' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    await waitFor(async () =>
      expect((await config()).config.fallthrough).toEqual({
        split: [
          { variant: 'on', weight: 2500 },
          { variant: 'off', weight: 7500 },
        ],
        by: 'userId',
      }),
    )

    await user.clear(input)
    await user.type(input, '120')
    await user.click(screen.getByRole('button', { name: 'Set percentage…' }))
    expect(screen.getByText('Enter a percentage from 0 to 100.')).toBeTruthy()
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it("should show the server's problem at the condition it names, then save once it is fixed", async () => {
    const user = userEvent.setup()
    await open()
    await user.click(screen.getByRole('button', { name: 'Add a rule' }))
    const condition = screen.getByRole('group', { name: 'Rule 1, condition 1' })
    await user.clear(within(condition).getByLabelText('Attribute'))
    await user.type(within(condition).getByLabelText('Attribute'), 'age')
    await user.selectOptions(within(condition).getByLabelText('Operator'), 'gt')
    await user.type(within(condition).getByLabelText(/Values/), 'old')
    await user.click(screen.getByRole('button', { name: 'Save targeting in production' }))
    const alert = await screen.findByText('The configuration was not saved')
    expect(alert.closest('[role="alert"]')?.textContent).toContain('/rules/0/conditions/0/values/0')
    expect(condition.textContent).toContain('op "gt" compares finite numbers')
    expect((await config()).version).toBe(2)

    await user.clear(within(condition).getByLabelText(/Values/))
    await user.type(within(condition).getByLabelText(/Values/), '21')
    await user.click(screen.getByRole('button', { name: 'Save targeting in production' }))
    expect(await screen.findByText('Saved as v3.')).toBeTruthy()
    expect((await config()).config.rules).toEqual([
      { conditions: [{ attribute: 'age', op: 'gt', values: [21] }], serve: { variant: 'on' } },
    ])
  })

  it('should refuse to overwrite a change made elsewhere while editing', async () => {
    const user = userEvent.setup()
    await open()
    await user.click(screen.getByRole('button', { name: 'Add a rule' }))
    const condition = screen.getByRole('group', { name: 'Rule 1, condition 1' })
    await user.type(within(condition).getByLabelText(/Values/), '@acme.com')
    await s.call('POST', `${CONFIG}/rollout`, { percent: 10 })
    expect(
      await screen.findByText(/changed elsewhere while you edited it \(v2 → v3\)/),
    ).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Save targeting in production' }))
    expect(await screen.findByText('Changed elsewhere')).toBeTruthy()
    expect((await config()).config.rules).toEqual([])
    await user.click(screen.getByRole('button', { name: 'Discard edits' }))
    await waitFor(() =>
      expect(screen.queryByRole('group', { name: 'Rule 1, condition 1' })).toBeNull(),
    )
  })

  it('should follow a change made elsewhere without a reload', async () => {
    await open()
    await screen.findByText('on 50 % · off 50 % by userId')
    await s.call('POST', `${CONFIG}/kill`, { reason: 'from the CLI' })
    expect(await screen.findByText('from the CLI')).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Unkill…' })).toBeTruthy()
  })

  it('should revert to an earlier version after showing the before/after diff', async () => {
    const user = userEvent.setup()
    await open()
    await user.click(await screen.findByRole('button', { name: 'Revert to v1…' }))
    const dialog = screen.getByRole('dialog', {
      name: 'Revert new-checkout in production to version 1?',
    })
    const rows = within(dialog).getAllByRole('row')
    const enabled = rows.find((r) => r.textContent?.startsWith('enabled'))
    expect(enabled?.textContent).toBe('enabledtruefalse')
    await user.click(within(dialog).getByRole('button', { name: 'Revert to v1' }))
    await waitFor(async () => expect((await config()).config.enabled).toBe(false))
    expect((await config()).version).toBe(3)
  })
})
