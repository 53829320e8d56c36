import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { systemClock } from '../../src/runtime/clock.js'
import { probeOnce } from '../../src/health/http-probe.js'
import { probeUntilHealthy } from '../../src/health/probe-until-healthy.js'
import { RecordingLogger } from '../../src/runtime/logger.js'
import { startHealthServer, type HealthServer } from '../../simulator/health/index.js'
import { httpCheck, quickPolicy } from './support/checks.js'
import { createTestPki, type TestPki } from '../support/test-pki.js'

describe('probing over TLS with a private CA', () => {
  let pki: TestPki
  let server: HealthServer
  beforeAll(async () => {
    pki = createTestPki()
    server = await startHealthServer({ https: { key: pki.key, cert: pki.cert } })
    server.route('/healthz', { kind: 'version', version: 'v1' })
  })
  afterAll(async () => {
    await server.close()
    pki.remove()
  })

  it('trusts the server when given the CA as PEM or as a file', async () => {
    const url = `${server.url}/healthz`
    expect(url.startsWith('https://127.0.0.1:')).toBe(true)
    expect(await probeOnce(httpCheck(url, { tls: { caPem: pki.caPem } }))).toMatchObject({
      ok: true,
      status: 200
    })
    expect(await probeOnce(httpCheck(url, { tls: { caFile: pki.caFile } }))).toMatchObject({
      ok: true,
      status: 200
    })
  })

  it('checks the host name against the certificate', async () => {
    const url = `${server.url.replace('127.0.0.1', 'localhost')}/healthz`
    expect(await probeOnce(httpCheck(url, { tls: { caPem: pki.caPem } }))).toMatchObject({ ok: true })
  })

  // Other 127/8 addresses reach loopback on Linux only.
  ;(process.platform === 'linux' ? it : it.skip)(
    'fails clearly when the certificate names another host',
    async () => {
      const elsewhere = await startHealthServer({
        https: { key: pki.key, cert: pki.cert },
        host: '127.0.0.2'
      })
      try {
        elsewhere.route('/healthz', { kind: 'up' })
        const attempt = await probeOnce(httpCheck(`${elsewhere.url}/healthz`, { tls: { caPem: pki.caPem } }))
        expect(attempt).toMatchObject({ ok: false, retryable: false })
        expect(attempt.reason).toMatch(/^TLS certificate is not valid for 127\.0\.0\.2: /)
      } finally {
        await elsewhere.close()
      }
    }
  )

  it('fails without retrying and points at tls.ca-file when the CA is unknown', async () => {
    const attempt = await probeOnce(httpCheck(`${server.url}/healthz`))
    expect(attempt).toMatchObject({ ok: false, retryable: false })
    expect(attempt.status).toBeUndefined()
    expect(attempt.reason).toMatch(/^TLS certificate of 127\.0\.0\.1:\d+ is not trusted: .+set tls\.ca-file/)
  })

  it('does not trust the server when given an unrelated CA', async () => {
    const attempt = await probeOnce(httpCheck(`${server.url}/healthz`, { tls: { caPem: pki.otherCaPem } }))
    expect(attempt).toMatchObject({ ok: false, retryable: false })
    expect(attempt.reason).toContain('does not contain the CA that signed it')
  })

  it('reports an unreadable CA file clearly', async () => {
    const attempt = await probeOnce(
      httpCheck(`${server.url}/healthz`, { tls: { caFile: `${pki.dir}/nope.pem` } })
    )
    expect(attempt).toMatchObject({ ok: false, retryable: false })
    expect(attempt.reason).toMatch(/^cannot read tls\.ca-file .*nope\.pem: ENOENT/)
  })

  it('explains an https URL pointed at a plain-HTTP server', async () => {
    const plain = await startHealthServer()
    try {
      const attempt = await probeOnce(httpCheck(`${plain.url.replace('http:', 'https:')}/healthz`))
      expect(attempt).toMatchObject({ ok: false, retryable: false })
      expect(attempt.reason).toContain('plain HTTP on an https URL')
    } finally {
      await plain.close()
    }
  })

  it('stops the whole check after the first TLS verification failure', async () => {
    const logger = new RecordingLogger()
    const result = await probeUntilHealthy(httpCheck(`${server.url}/healthz`), quickPolicy(), {
      logger,
      clock: systemClock
    })
    expect(result).toMatchObject({ healthy: false, attempts: 1 })
    expect(result.finalReason).toContain('set tls.ca-file')
  })
})
