// What the server benchmarks share: talking to their child processes and the
// snapshot they measure with.

/** Resolves with the child's next message of `type`; rejects on an `error` message. */
export function onMessage(child, type) {
  return new Promise((resolve, reject) => {
    const listener = (message) => {
      if (message.type === 'error') reject(new Error(message.message))
      if (message.type !== type) return
      child.off('message', listener)
      resolve(message)
    }
    child.on('message', listener)
  })
}

/** The nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/**
 * A realistic snapshot: 50 flags in production with a rule and a split each,
 * `new-checkout` first. `admin(method, path, body)` calls the admin API.
 */
export async function seedBenchFlags(admin) {
  for (let i = 0; i < 50; i++) {
    const key = i === 0 ? 'new-checkout' : `flag-${i}`
    await admin('POST', '/v1/admin/flags', { key, kind: 'boolean', description: `bench flag ${i}` })
    await admin('PUT', `/v1/admin/environments/production/flags/${key}`, {
      enabled: true,
      rules: [
        {
          conditions: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }],
          serve: { variant: 'on' },
        },
      ],
      fallthrough: {
        split: [
          { variant: 'on', weight: 2500 },
          { variant: 'off', weight: 7500 },
        ],
        by: 'userId',
      },
    })
  }
}
