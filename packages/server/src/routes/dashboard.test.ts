import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestServer, type TestServer } from '../testUtils/testServer'

describe('dashboardRoutes', () => {
  let dir: string
  let s: TestServer
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'floodgate-dashboard-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Floodgate</title>')
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
    writeFileSync(join(dir, '.env'), 'SECRET=1')
    s = await createTestServer({ dashboard: dir })
  })
  afterAll(async () => {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('should serve the dashboard at / with a page policy, and its hashed assets for a year', async () => {
    const page = await s.call(undefined, 'GET', '/')
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain('<title>Floodgate</title>')
    expect(page.headers['cache-control']).toBe('no-cache')
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    const asset = await s.call(undefined, 'GET', '/assets/index-abc123.js')
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
  })

  it("should answer the dashboard's own paths with index.html, so a reload keeps the page", async () => {
    for (const path of ['/flags/new-checkout', '/rollouts?env=production', '/audit']) {
      const res = await s.call(undefined, 'GET', path)
      expect(res.statusCode, path).toBe(200)
      expect(res.body).toContain('<title>Floodgate</title>')
    }
  })

  it('should keep the API, its problems and the operational endpoints as they are', async () => {
    const unknown = await s.call(s.admin, 'GET', '/v1/admin/nothing-here')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(unknown.json()).toMatchObject({ code: 'not_found' })
    expect((await s.call(undefined, 'GET', '/v1/admin/flags')).statusCode).toBe(401)
    expect((await s.call(s.admin, 'GET', '/v1/admin/flags')).statusCode).toBe(200)
    expect((await s.call(undefined, 'GET', '/healthz')).json()).toEqual({ status: 'ok' })
    const missingAsset = await s.call(undefined, 'GET', '/assets/gone-123.js')
    expect(missingAsset.statusCode).toBe(404)
    expect(missingAsset.json()).toMatchObject({ code: 'not_found' })
    expect((await s.call(undefined, 'POST', '/flags/x')).statusCode).toBe(404)
    expect((await s.call(undefined, 'GET', '/.env')).body).not.toContain('SECRET')
  })

  it('should serve the API alone when there is no dashboard', async () => {
    const bare = await createTestServer({ dashboard: false })
    try {
      const res = await bare.call(undefined, 'GET', '/')
      expect(res.statusCode).toBe(404)
      expect(res.json()).toMatchObject({ code: 'not_found' })
      expect((await bare.call(bare.admin, 'GET', '/v1/admin/flags')).statusCode).toBe(200)
    } finally {
      await bare.close()
    }
  })
})
