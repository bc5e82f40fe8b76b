import flagsmith from 'flagsmith'

export async function showNewCheckout(userId: string): Promise<boolean> {
  await flagsmith.init({ environmentID: 'environment-key', identity: userId })
  return flagsmith.hasFeature('new_checkout')
}
