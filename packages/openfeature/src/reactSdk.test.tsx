// @vitest-environment jsdom
import { unrefFetch } from '@floodgate/node'
import {
  OpenFeature,
  OpenFeatureProvider,
  useBooleanFlagDetails,
  useStringFlagValue,
} from '@openfeature/react-sdk'
import { cleanup, render, screen } from '@testing-library/react'
import { Suspense } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FloodgateWebProvider } from './floodgateWebProvider'
import { LiveServer } from './testUtils/liveServer'
import { recordingLogger } from './testUtils/recordingLogger'
import { seedFlags } from './testUtils/seed'

function Checkout() {
  const { value, reason } = useBooleanFlagDetails('new-checkout', false)
  const banner = useStringFlagValue('banner', 'Hi')
  return (
    <p data-testid="checkout">
      {banner} {value ? 'new' : 'legacy'} checkout ({reason})
    </p>
  )
}

/** `@openfeature/react-sdk` over the web provider, in jsdom, against a real server. */
describe('FloodgateWebProvider with @openfeature/react-sdk', () => {
  let live: LiveServer
  beforeEach(async () => {
    live = await LiveServer.start()
    await seedFlags(live)
  })
  afterEach(async () => {
    cleanup()
    await OpenFeature.close()
    await live.dispose()
  })

  it('should render the variant served, and re-render on a kill and on a context change', async () => {
    await OpenFeature.setContext('shop', { targetingKey: 'user-1' })
    OpenFeature.setProvider(
      'shop',
      new FloodgateWebProvider({
        url: live.url,
        token: await live.token('client'),
        cache: false,
        logger: recordingLogger(),
        transport: { streamFetch: unrefFetch },
      }),
    )
    render(
      <OpenFeatureProvider domain="shop">
        <Suspense fallback={<p>loading</p>}>
          <Checkout />
        </Suspense>
      </OpenFeatureProvider>,
    )
    const checkout = () => screen.findByTestId('checkout').then((p) => p.textContent)
    await expect.poll(checkout).toBe('Welcome! new checkout (SPLIT)')

    await live.action('new-checkout', 'kill', { reason: 'checkout errors' })
    await expect.poll(checkout, { timeout: 10_000 }).toBe('Welcome! legacy checkout (KILLED)')

    await live.action('new-checkout', 'unkill')
    await expect.poll(checkout, { timeout: 10_000 }).toBe('Welcome! new checkout (SPLIT)')
    await OpenFeature.setContext('shop', { targetingKey: 'alice@example.com' })
    await expect.poll(checkout).toBe('Welcome! legacy checkout (SPLIT)')
  })
})
