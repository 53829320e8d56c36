/**
 * Health probes through a forward proxy, as on a self-hosted runner behind one: a plain-HTTP
 * probe is sent to the proxy in absolute form, an https probe goes through a CONNECT tunnel and
 * still verifies the endpoint's certificate against the configured CA, and NO_PROXY bypasses the
 * proxy. The proxy here is a real one on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { probeOnce } from '../../src/health/http-probe.js'
import { startHealthServer, unusedPortUrl, type HealthServer } from '../../simulator/health/index.js'
import { createTestPki, type TestPki } from '../support/test-pki.js'
import { httpCheck } from './support/checks.js'

interface ProxiedRequest {
  /** GET for a forwarded plain-HTTP request, CONNECT for a tunnel. */
  method: string
  /** The absolute URL of a forwarded request, host:port of a tunnel. */
  target: string
  proxyAuthorization?: string
}

interface ForwardProxy {
  url: string
  requests: ProxiedRequest[]
  close(): Promise<void>
}

/** A small forward proxy: absolute-form requests are forwarded, CONNECT is tunnelled. */
async function startForwardProxy(options: { credentials?: string } = {}): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = []
  const sockets = new Set<net.Socket>()
  const expected = options.credentials && `Basic ${Buffer.from(options.credentials).toString('base64')}`
  const authorized = (header: string | undefined) => !expected || header === expected
  const server = http.createServer((req, res) => {
    const proxyAuthorization = req.headers['proxy-authorization']
    requests.push({ method: req.method ?? '', target: req.url ?? '', proxyAuthorization })
    if (!authorized(proxyAuthorization)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end()
      return
    }
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    delete headers['proxy-connection']
    const upstream = http.request(req.url ?? '', { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const proxyAuthorization = req.headers['proxy-authorization']
    requests.push({ method: 'CONNECT', target: req.url ?? '', proxyAuthorization })
    sockets.add(client)
    if (!authorized(proxyAuthorization)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n')
      return
    }
    const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/)
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'))
    client.on('error', () => upstream.destroy())
  })
  server.on('connection', (socket: net.Socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

describe('health probes through a forward proxy', () => {
  let pki: TestPki
  let plain: HealthServer
  let secure: HealthServer
  let proxy: ForwardProxy
  beforeAll(async () => {
    pki = createTestPki()
    plain = await startHealthServer()
    plain.route('/healthz', { kind: 'version', version: 'v1' })
    secure = await startHealthServer({ https: { key: pki.key, cert: pki.cert } })
    secure.route('/healthz', { kind: 'version', version: 'v1' })
    proxy = await startForwardProxy()
  })
  afterAll(async () => {
    await Promise.all([plain.close(), secure.close(), proxy.close()])
    pki.remove()
  })
  const sent = () => proxy.requests.splice(0)

  it('sends a plain-HTTP probe to HTTP_PROXY in absolute form', async () => {
    sent()
    const attempt = await probeOnce(httpCheck(`${plain.url}/healthz`), { env: { HTTP_PROXY: proxy.url } })
    expect(attempt).toMatchObject({ ok: true, status: 200 })
    expect(sent()).toEqual([{ method: 'GET', target: `${plain.url}/healthz` }])
  })

  it('tunnels an https probe through HTTPS_PROXY with CONNECT, verifying the endpoint against its CA', async () => {
    sent()
    const url = `${secure.url.replace('127.0.0.1', 'localhost')}/healthz`
    const env = { HTTPS_PROXY: proxy.url }
    expect(await probeOnce(httpCheck(url, { tls: { caPem: pki.caPem } }), { env })).toMatchObject({
      ok: true,
      status: 200
    })
    expect(sent()).toEqual([{ method: 'CONNECT', target: `localhost:${secure.port}` }])

    // The tunnel changes nothing about trust: a CA that did not sign the endpoint fails it.
    const untrusted = await probeOnce(httpCheck(url, { tls: { caPem: pki.otherCaPem } }), { env })
    expect(untrusted).toMatchObject({ ok: false, retryable: false })
    expect(untrusted.reason).toMatch(/^TLS certificate of localhost:\d+ is not trusted/)
    expect(untrusted.reason).toContain(`(through proxy ${proxy.url})`)
    expect(sent()).toEqual([{ method: 'CONNECT', target: `localhost:${secure.port}` }])
  })

  it('uses HTTP_PROXY for http URLs and HTTPS_PROXY for https URLs only', async () => {
    sent()
    const deadProxy = await unusedPortUrl()
    const env = { HTTP_PROXY: proxy.url, HTTPS_PROXY: deadProxy }
    expect(await probeOnce(httpCheck(`${plain.url}/healthz`), { env })).toMatchObject({ ok: true })
    expect(sent()).toHaveLength(1)
    expect(
      await probeOnce(httpCheck(`${secure.url}/healthz`, { tls: { caPem: pki.caPem } }), {
        env: { HTTP_PROXY: proxy.url }
      })
    ).toMatchObject({ ok: true })
    expect(sent()).toEqual([])
  })

  it('lets the lowercase variable win, as curl does', async () => {
    sent()
    const deadProxy = await unusedPortUrl()
    const env = { http_proxy: proxy.url, HTTP_PROXY: deadProxy, no_proxy: 'example.com', NO_PROXY: '*' }
    expect(await probeOnce(httpCheck(`${plain.url}/healthz`), { env })).toMatchObject({ ok: true })
    expect(sent()).toHaveLength(1)
  })

  it.each([['127.0.0.1'], ['localhost,127.0.0.0/8'], ['*'], ['.example.com, 127.0.0.1:PORT']])(
    'goes direct when NO_PROXY=%j matches the endpoint',
    async (noProxy) => {
      sent()
      const env = {
        HTTP_PROXY: proxy.url,
        HTTPS_PROXY: proxy.url,
        NO_PROXY: noProxy.replace('PORT', String(plain.port))
      }
      expect(await probeOnce(httpCheck(`${plain.url}/healthz`), { env })).toMatchObject({ ok: true })
      expect(sent()).toEqual([])
    }
  )

  it('still uses the proxy when NO_PROXY names other hosts or another port', async () => {
    sent()
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: `example.com,10.0.0.0/8,127.0.0.1:${plain.port + 1}` }
    expect(await probeOnce(httpCheck(`${plain.url}/healthz`), { env })).toMatchObject({ ok: true })
    expect(sent()).toHaveLength(1)
  })

  it('chooses again for a redirect target: NO_PROXY can exempt it', async () => {
    sent()
    plain.route('/moved', { kind: 'redirect', to: `${plain.url.replace('127.0.0.1', 'localhost')}/healthz` })
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost' }
    expect(await probeOnce(httpCheck(`${plain.url}/moved`), { env })).toMatchObject({ ok: true, status: 200 })
    expect(sent()).toEqual([{ method: 'GET', target: `${plain.url}/moved` }])
  })

  it('says when the proxy itself cannot be reached, and that trying again may help', async () => {
    const deadProxy = await unusedPortUrl()
    const attempt = await probeOnce(httpCheck(`${plain.url}/healthz`), { env: { HTTP_PROXY: deadProxy } })
    expect(attempt).toMatchObject({ ok: false, retryable: true })
    expect(attempt.reason).toBe(`connection refused (ECONNREFUSED) at the proxy ${deadProxy}`)
  })

  it('rejects a proxy it cannot speak to without trying', async () => {
    const attempt = await probeOnce(httpCheck(`${plain.url}/healthz`), {
      env: { HTTP_PROXY: 'socks5://127.0.0.1:1080' }
    })
    expect(attempt).toMatchObject({ ok: false, retryable: false })
    expect(attempt.reason).toBe(
      'HTTP_PROXY names a socks5 proxy; only http:// and https:// proxies are supported'
    )
  })
})

describe('a proxy that wants credentials', () => {
  const password = 'pr0xy-p@ss:word'
  const proxyUrl = (proxy: ForwardProxy, secret: string) =>
    proxy.url.replace('http://', `http://probe-user:${encodeURIComponent(secret)}@`)
  let pki: TestPki
  let plain: HealthServer
  let secure: HealthServer
  let proxy: ForwardProxy
  beforeAll(async () => {
    pki = createTestPki()
    plain = await startHealthServer()
    plain.route('/healthz', { kind: 'up' })
    secure = await startHealthServer({ https: { key: pki.key, cert: pki.cert } })
    secure.route('/healthz', { kind: 'up' })
    proxy = await startForwardProxy({ credentials: `probe-user:${password}` })
  })
  afterAll(async () => {
    await Promise.all([plain.close(), secure.close(), proxy.close()])
    pki.remove()
  })

  it('sends the URL-encoded user and password as Proxy-Authorization, on requests and CONNECT', async () => {
    const env = { HTTP_PROXY: proxyUrl(proxy, password), HTTPS_PROXY: proxyUrl(proxy, password) }
    expect(await probeOnce(httpCheck(`${plain.url}/healthz`), { env })).toMatchObject({ ok: true })
    expect(
      await probeOnce(httpCheck(`${secure.url}/healthz`, { tls: { caPem: pki.caPem } }), { env })
    ).toMatchObject({ ok: true })
    const basic = `Basic ${Buffer.from(`probe-user:${password}`).toString('base64')}`
    expect(proxy.requests.splice(0).map((r) => [r.method, r.proxyAuthorization])).toEqual([
      ['GET', basic],
      ['CONNECT', basic]
    ])
  })

  it('never shows the password when the proxy refuses it', async () => {
    const wrong = 'wr0ng-p@ssword'
    const env = { HTTP_PROXY: proxyUrl(proxy, wrong), HTTPS_PROXY: proxyUrl(proxy, wrong) }
    const overHttp = await probeOnce(httpCheck(`${plain.url}/healthz`), { env })
    const overTunnel = await probeOnce(httpCheck(`${secure.url}/healthz`, { tls: { caPem: pki.caPem } }), {
      env
    })
    expect(overHttp).toMatchObject({ ok: false, status: 407, retryable: false })
    expect(overHttp.reason).toContain(`(through proxy ${proxy.url})`)
    expect(overTunnel).toMatchObject({ ok: false, retryable: false })
    expect(overTunnel.reason).toBe(
      `the proxy ${proxy.url} did not open a tunnel to 127.0.0.1:${secure.port}: status 407 (proxy authentication required: check the user and password in the proxy URL)`
    )
    const shown = JSON.stringify([overHttp, overTunnel])
    for (const secret of [wrong, encodeURIComponent(wrong), password, 'probe-user'])
      expect(shown).not.toContain(secret)
  })
})
