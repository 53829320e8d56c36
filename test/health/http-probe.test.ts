import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { probeOnce } from '../../src/health/http-probe.js'
import { startHealthServer, unusedPortUrl, type HealthServer } from '../../simulator/health/index.js'
import { httpCheck } from './support/checks.js'

describe('probeOnce', () => {
  let server: HealthServer
  let other: HealthServer
  beforeAll(async () => {
    server = await startHealthServer()
    other = await startHealthServer()
  })
  afterAll(async () => {
    await server.close()
    await other.close()
  })

  it('passes a 2xx whose body meets every assertion', async () => {
    server.route('/ok', { kind: 'version', version: 'abc123' })
    const attempt = await probeOnce(
      httpCheck(`${server.url}/ok`, {
        expect: {
          status: [200],
          bodyContains: '"ok"',
          bodyMatches: 'version":\\s*"abc\\d+',
          json: [
            { path: 'version', equals: 'abc123' },
            { path: 'status', equals: 'ok' }
          ]
        }
      })
    )
    expect(attempt).toMatchObject({ ok: true, status: 200, reason: 'passed' })
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(0)
    expect(attempt.bodySnippet).toBe('{"status":"ok","version":"abc123"}')
  })

  it('sends the configured method, headers and body', async () => {
    server.route('/post', { kind: 'up' })
    await probeOnce(
      httpCheck(`${server.url}/post`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-probe': 'promote' },
        body: '{"ping":true}'
      })
    )
    const [request] = server.requests('/post')
    expect(request).toMatchObject({ method: 'POST', body: '{"ping":true}' })
    expect(request!.headers['x-probe']).toBe('promote')
    expect(request!.headers['content-type']).toBe('application/json')
  })

  it('does not retry a 404 unless the check lists it as retryable', async () => {
    const url = `${server.url}/missing`
    const plain = await probeOnce(httpCheck(url))
    expect(plain).toMatchObject({ ok: false, status: 404, retryable: false })
    expect(plain.reason).toContain('status 404, expected 200-299')
    expect(plain.reason).toContain('retryable-statuses')

    const warmingUp = await probeOnce(httpCheck(url, { retryableStatuses: [404] }))
    expect(warmingUp).toMatchObject({ ok: false, status: 404, retryable: true })
  })

  it('treats a 5xx as retryable', async () => {
    server.route('/503', { kind: 'status', code: 503 })
    const attempt = await probeOnce(httpCheck(`${server.url}/503`))
    expect(attempt).toMatchObject({
      ok: false,
      status: 503,
      retryable: true,
      reason: 'status 503, expected 200-299'
    })
  })

  it('passes a non-2xx status when the check expects exactly it', async () => {
    server.route('/teapot', { kind: 'status', code: 418 })
    const attempt = await probeOnce(
      httpCheck(`${server.url}/teapot`, { expect: { status: [{ from: 400, to: 418 }] } })
    )
    expect(attempt.ok).toBe(true)
  })

  it('names the expected and served version when the JSON does not match, and keeps retrying', async () => {
    server.route('/version', { kind: 'version', version: 'old' })
    const attempt = await probeOnce(
      httpCheck(`${server.url}/version`, {
        expect: { status: [], json: [{ path: 'version', equals: 'abc123' }] }
      })
    )
    expect(attempt).toMatchObject({ ok: false, status: 200, retryable: true })
    expect(attempt.reason).toBe('json path version: expected "abc123", got "old"')
  })

  it('explains a missing JSON path, a non-JSON body and unmet body text', async () => {
    server.route('/nested', { kind: 'up', body: '{"build":{"sha":"f00"},"items":[{"name":"a"}]}' })
    const nested = await probeOnce(
      httpCheck(`${server.url}/nested`, {
        expect: {
          status: [],
          json: [
            { path: 'build.sha', equals: 'f00' },
            { path: 'items[0].name', equals: 'a' },
            { path: 'build.ref', equals: 'main' },
            { path: 'items[3].name', equals: 'b' }
          ]
        }
      })
    )
    expect(nested.reason).toBe(
      'json path build.ref: expected "main", but build.ref is absent; ' +
        'json path items[3].name: expected "b", but items[3] is absent'
    )

    server.route('/text', { kind: 'up', body: 'starting' })
    const text = await probeOnce(
      httpCheck(`${server.url}/text`, {
        expect: { status: [], bodyContains: 'ready', json: [{ path: 'version', equals: '1' }] }
      })
    )
    expect(text.retryable).toBe(true)
    expect(text.reason).toMatch(
      /^body does not contain "ready"; body is not valid JSON \(.+\), so json path version/
    )
  })

  it('does not retry when the assertion itself is malformed', async () => {
    server.route('/v', { kind: 'version', version: '1' })
    const attempt = await probeOnce(
      httpCheck(`${server.url}/v`, { expect: { status: [], json: [{ path: 'items[x]', equals: 1 }] } })
    )
    expect(attempt.retryable).toBe(false)
    expect(attempt.reason).toContain('invalid json path "items[x]"')
  })

  it('gives up on a slow response when the per-attempt timeout passes', async () => {
    server.route('/slow', { kind: 'slow', delayMs: 2000 })
    const started = Date.now()
    const attempt = await probeOnce(httpCheck(`${server.url}/slow`, { timeoutMs: 100 }))
    expect(Date.now() - started).toBeLessThan(1000)
    expect(attempt).toMatchObject({ ok: false, retryable: true })
    expect(attempt.status).toBeUndefined()
    expect(attempt.reason).toBe('timed out after 100 ms waiting for response headers')
  })

  it('retries a refused connection and a hang-up', async () => {
    const refused = await probeOnce(httpCheck(`${await unusedPortUrl()}/healthz`))
    expect(refused).toMatchObject({ ok: false, retryable: true })
    expect(refused.reason).toMatch(/^connection refused \(ECONNREFUSED\)/)

    server.route('/hang', { kind: 'hang-up' })
    const hangUp = await probeOnce(httpCheck(`${server.url}/hang`))
    expect(hangUp).toMatchObject({ ok: false, retryable: true })
    expect(hangUp.reason).toContain('socket hang up')
  })

  it('fails a redirect loop at once with the chain it followed', async () => {
    server.route('/loop', { kind: 'redirect-loop' })
    const attempt = await probeOnce(httpCheck(`${server.url}/loop`))
    expect(attempt).toMatchObject({ ok: false, retryable: false })
    expect(attempt.reason).toBe(
      `redirect loop: ${server.url}/loop -> ${server.url}/loop?loop=1 -> ${server.url}/loop`
    )
    expect(server.hits('/loop')).toBe(2)
  })

  it('follows redirects up to the limit, and only when told to', async () => {
    server.route('/r1', { kind: 'redirect', to: '/r2' })
    server.route('/r2', { kind: 'redirect', to: '/target', status: 307 })
    server.route('/target', { kind: 'version', version: 'v2' })
    const followed = await probeOnce(
      httpCheck(`${server.url}/r1`, { expect: { status: [], json: [{ path: 'version', equals: 'v2' }] } })
    )
    expect(followed).toMatchObject({ ok: true, status: 200 })

    const tooMany = await probeOnce(httpCheck(`${server.url}/r1`, { redirects: { follow: true, max: 1 } }))
    expect(tooMany).toMatchObject({ ok: false, retryable: false })
    expect(tooMany.reason).toMatch(/^more than 1 redirects \(redirects\.max\)/)

    const notFollowed = await probeOnce(
      httpCheck(`${server.url}/r1`, { redirects: { follow: false, max: 5 } })
    )
    expect(notFollowed).toMatchObject({ ok: false, status: 302, retryable: false })
    expect(notFollowed.reason).toContain('redirects.follow is off')
  })

  it('keeps credentials on the configured origin when a redirect leaves it', async () => {
    server.route('/away', { kind: 'redirect', to: `${other.url}/landing` })
    other.route('/landing', { kind: 'up' })
    const attempt = await probeOnce(
      httpCheck(`${server.url}/away`, {
        headers: { Authorization: 'Bearer t0ken', 'X-Api-Key': 'k3y', 'X-Trace': 'visible' },
        secretHeaders: ['x-api-key']
      })
    )
    expect(attempt.ok).toBe(true)
    expect(server.requests('/away')[0]!.headers).toMatchObject({
      authorization: 'Bearer t0ken',
      'x-api-key': 'k3y'
    })
    const landed = other.requests('/landing')[0]!.headers
    expect(landed['authorization']).toBeUndefined()
    expect(landed['x-api-key']).toBeUndefined()
    expect(landed['x-trace']).toBe('visible')
  })

  it('reads at most 1 MiB of body and says so when an assertion fails past it', async () => {
    server.route('/huge', { kind: 'up', body: 'x'.repeat(2 * 1024 * 1024) + 'READY' })
    const attempt = await probeOnce(
      httpCheck(`${server.url}/huge`, { expect: { status: [], bodyContains: 'READY' } })
    )
    expect(attempt).toMatchObject({ ok: false, status: 200, retryable: true })
    expect(attempt.reason).toBe('body does not contain "READY" (only the first 1 MiB were read)')
    expect(attempt.bodySnippet!.length).toBe(200)
  })

  it('rejects a URL that is not http(s) without retrying', async () => {
    expect(await probeOnce(httpCheck('ftp://example.test/healthz'))).toMatchObject({
      ok: false,
      retryable: false
    })
    expect(await probeOnce(httpCheck('not a url'))).toMatchObject({ ok: false, retryable: false })
  })

  it('ends promptly with "cancelled" when the signal aborts mid-request', async () => {
    server.route('/stall', { kind: 'slow', delayMs: 5000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const started = Date.now()
    const attempt = await probeOnce(httpCheck(`${server.url}/stall`, { timeoutMs: 5000 }), {
      signal: controller.signal
    })
    expect(Date.now() - started).toBeLessThan(1000)
    expect(attempt).toMatchObject({ ok: false, reason: 'cancelled', retryable: false })
  })
})
