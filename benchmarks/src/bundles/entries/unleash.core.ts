import { UnleashClient } from 'unleash-proxy-client'

export async function showNewCheckout(userId: string): Promise<boolean> {
  const unleash = new UnleashClient({
    url: 'https://flags.example.com/api/frontend',
    clientKey: 'frontend-token',
    appName: 'shop',
    context: { userId },
  })
  await unleash.start()
  return unleash.isEnabled('new-checkout')
}
