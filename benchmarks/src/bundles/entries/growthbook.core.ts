import { GrowthBook } from '@growthbook/growthbook'

export async function showNewCheckout(userId: string): Promise<boolean> {
  const gb = new GrowthBook({
    apiHost: 'https://flags.example.com',
    clientKey: 'sdk-key',
    attributes: { id: userId },
  })
  await gb.init({ streaming: true })
  return gb.isOn('new-checkout')
}
