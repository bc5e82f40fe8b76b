import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RolloutState } from '../api/types'
import { renderApp } from '../testUtils/renderApp'
import { sendSignals, signalsBatch } from '../testUtils/signals'
import { startTestServer, type TestServer } from '../testUtils/testServer'

const FLAG = '/v1/admin/environments/production/flags/checkout'

describe('RolloutPage', () => {
  let s: TestServer
  let sdk: string
  beforeEach(async () => {
    s = await startTestServer({ signalBucketMs: 1000, signalFlushMs: 50 })
    await s.call('POST', '/v1/admin/flags', { key: 'checkout', kind: 'boolean' })
    const { secret } = await s.call<{ secret: string }>('POST', '/v1/admin/tokens', {
      name: 'sdk',
      scope: 'server',
      environment: 'production',
    })
    sdk = secret
  })
  afterEach(async () => {
    await s.close()
  })

  const current = () => s.call<RolloutState>('GET', `${FLAG}/rollouts/current`)

  it("should refuse a bad plan with the server's paths, start a good one and follow its automatic revert", async () => {
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/flags/checkout/rollout?env=production')
    await screen.findByRole('heading', { name: 'Start a staged rollout in production' })
    const stage2 = screen.getByLabelText('Stage 2 percent')
    await user.clear(stage2)
    await user.type(stage2, '0.5')
    await user.click(screen.getByRole('button', { name: 'Start the rollout in production' }))
    const problem = await screen.findByText('The rollout did not start')
    expect(problem.closest('[role="alert"]')?.textContent).toContain('/stages/1/percent')
    expect(screen.getByRole('group', { name: 'Stages' }).textContent).toContain(
      'stages must increase',
    )

    await user.clear(stage2)
    await user.type(stage2, '5')
    for (const i of [1, 2]) {
      const min = screen.getByLabelText(`Stage ${i} minimum duration in seconds`)
      await user.clear(min)
      await user.type(min, '60')
    }
    await user.click(screen.getByRole('button', { name: 'Start the rollout in production' }))
    expect((await screen.findByTestId('rollout-status')).textContent).toBe('running')
    expect((await current()).plan.stages.map((st) => st.percent)).toEqual([1, 5, 25, 50, 100])
    expect(await screen.findByText('What the controller sees now')).toBeTruthy()
    expect(screen.getAllByText(/against the threshold 1\/α = 100/).length).toBeGreaterThan(0)

    // Treatment fails: the controller reverts, and the page hears it over the admin stream.
    const since = Date.parse((await current()).startedAt)
    await sendSignals(
      s.url,
      sdk,
      signalsBatch(
        'checkout',
        { exposures: 10, errorUnits: 0 },
        { exposures: 990, errorUnits: 10 },
        since,
      ),
    )
    await sendSignals(
      s.url,
      sdk,
      signalsBatch(
        'checkout',
        { exposures: 20, errorUnits: 15 },
        { exposures: 980, errorUnits: 10 },
        since,
      ),
    )
    await waitFor(async () => expect((await current()).status).toBe('reverted'))
    const outcome = await screen.findByTestId('rollout-outcome')
    expect(outcome.textContent).toContain('Reverted automatically to 0 %')
    expect(outcome.textContent).toMatch(/error rate is above control's/)
    expect(screen.getByTestId('rollout-status').textContent).toBe('reverted')
    const stage1 = screen
      .getByRole('heading', { name: 'Stage 1: 1 %' })
      .closest('li') as HTMLElement
    expect(within(stage1).getByText('failed')).toBeTruthy()
    expect(within(stage1).getByText(/the alarm fired/)).toBeTruthy()
    expect(within(stage1).getByText('revert')).toBeTruthy()
    // The chart's numbers, per bucket: treatment's error rate above control's.
    await user.click(await within(stage1).findByText('Stage 1 error rates: the numbers'))
    expect(within(stage1).getAllByRole('row').length).toBeGreaterThan(1)
    expect(
      await screen.findByRole('heading', { name: 'Start a staged rollout in production' }),
    ).toBeTruthy()
  })

  it('should pause, resume and abort by hand after a confirmation', async () => {
    await s.call('POST', `${FLAG}/rollouts`, { treatment: 'on', control: 'off' })
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/flags/checkout/rollout?env=production')
    await user.click(await screen.findByRole('button', { name: 'Pause…' }))
    await user.type(screen.getByLabelText(/Reason/), 'looking at logs')
    await user.click(screen.getByRole('button', { name: 'Pause' }))
    expect(await screen.findByText('Paused by admin: looking at logs')).toBeTruthy()
    expect((await current()).status).toBe('paused')

    await user.click(screen.getByRole('button', { name: 'Resume…' }))
    await user.click(screen.getByRole('button', { name: 'Resume' }))
    await waitFor(async () => expect((await current()).status).toBe('running'))

    await user.click(await screen.findByRole('button', { name: 'Abort…' }))
    const dialog = screen.getByRole('dialog')
    expect(dialog.textContent).toContain('Serves control to everyone')
    await user.click(within(dialog).getByRole('button', { name: 'Abort' }))
    expect((await screen.findByTestId('rollout-outcome')).textContent).toContain('Aborted')
    expect((await current()).status).toBe('aborted')
  })

  it('should promote to the next stage by hand after a confirmation', async () => {
    await s.call('POST', `${FLAG}/rollouts`, { treatment: 'on', control: 'off' })
    expect((await current()).stageIndex).toBe(0)
    const user = userEvent.setup()
    renderApp(s.url, s.admin, '/flags/checkout/rollout?env=production')
    await user.click(await screen.findByRole('button', { name: 'Promote…' }))
    const dialog = screen.getByRole('dialog')
    expect(dialog.textContent).toContain('without waiting for the evidence')
    await user.click(within(dialog).getByRole('button', { name: 'Promote' }))
    await waitFor(async () => expect((await current()).stageIndex).toBe(1))
    expect((await current()).status).toBe('running')
  })
})
