import { describe, expect, it } from '@jest/globals'
import { bypassesProxy, proxyFor, proxyPasswordsIn } from '../../src/health/proxy-env.js'

const bypasses = (url: string, noProxy: string) => bypassesProxy(new URL(url), noProxy)

describe('NO_PROXY', () => {
  it.each([
    ['https://api.example.com/healthz', 'example.com'],
    ['https://example.com/healthz', 'example.com'],
    ['https://api.example.com/healthz', '.example.com'],
    ['https://example.com/healthz', '.example.com'],
    ['https://api.example.com/healthz', '*.example.com'],
    ['https://API.Example.COM./healthz', 'example.com'],
    ['https://anything.test/', '*'],
    ['http://app.internal:8080/', 'app.internal:8080'],
    ['https://app.internal/', 'app.internal:443'],
    ['http://app.internal/', 'app.internal:80'],
    ['http://10.1.2.3:8080/', '10.1.2.3'],
    ['http://10.1.2.3/', '10.0.0.0/8'],
    ['http://[::1]:8080/', '::1'],
    ['http://[::1]:8080/', '[::1]:8080'],
    ['http://[fd00::5]/', 'fd00::/8'],
    ['http://svc.cluster.local/', 'localhost, .svc.cluster.local'],
    ['http://svc.cluster.local/', ' localhost   svc.cluster.local '],
    ['http://b.test/', 'a.test,,b.test,']
  ])('%s bypasses the proxy for %j', (url, noProxy) => {
    expect(bypasses(url, noProxy)).toBe(true)
  })

  it.each([
    ['https://notexample.com/', 'example.com'],
    ['https://example.com.evil.test/', 'example.com'],
    ['http://app.internal:8081/', 'app.internal:8080'],
    ['https://app.internal/', 'app.internal:80'],
    ['http://10.1.2.3/', '10.1.2.4'],
    ['http://11.0.0.1/', '10.0.0.0/8'],
    ['http://[::2]/', '::1'],
    ['http://10.1.2.3/', '10.1.2.3.example.com'],
    ['http://api.test/', ''],
    ['http://api.test/', '.']
  ])('%s still uses the proxy for %j', (url, noProxy) => {
    expect(bypasses(url, noProxy)).toBe(false)
  })

  it('does not resolve names: an IP entry does not cover a host name that points at it', () => {
    expect(bypasses('http://localhost/', '127.0.0.1')).toBe(false)
  })
})

describe('choosing the proxy from the environment', () => {
  const http = new URL('http://app.test/healthz')
  const https = new URL('https://app.test/healthz')

  it('takes the variable for the URL scheme, lowercase first', () => {
    expect(proxyFor(http, { HTTP_PROXY: 'http://upper:3128' })).toMatchObject({
      kind: 'proxy',
      variable: 'HTTP_PROXY'
    })
    expect(
      proxyFor(http, { http_proxy: 'http://lower:3128', HTTP_PROXY: 'http://upper:3128' })
    ).toMatchObject({
      kind: 'proxy',
      variable: 'http_proxy',
      url: new URL('http://lower:3128')
    })
    expect(proxyFor(https, { HTTP_PROXY: 'http://upper:3128' })).toEqual({ kind: 'direct' })
    expect(proxyFor(https, { https_proxy: 'http://p:3128' })).toMatchObject({ kind: 'proxy' })
  })

  it('reads no_proxy before NO_PROXY', () => {
    expect(
      proxyFor(http, { HTTP_PROXY: 'http://p:3128', no_proxy: 'other.test', NO_PROXY: '*' })
    ).toMatchObject({
      kind: 'proxy'
    })
    expect(proxyFor(http, { HTTP_PROXY: 'http://p:3128', NO_PROXY: 'app.test' })).toEqual({ kind: 'direct' })
  })

  it('takes a proxy without a scheme as http://, and an empty variable as none', () => {
    expect(proxyFor(http, { HTTP_PROXY: 'proxy.corp:3128' })).toMatchObject({
      kind: 'proxy',
      url: new URL('http://proxy.corp:3128')
    })
    expect(proxyFor(http, { http_proxy: '  ', HTTP_PROXY: '' })).toEqual({ kind: 'direct' })
  })

  it('refuses a proxy it cannot use, without quoting the value', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'socks5h://u:secret@p:1080' })).toEqual({
      kind: 'invalid',
      variable: 'HTTPS_PROXY',
      reason: 'HTTPS_PROXY names a socks5h proxy; only http:// and https:// proxies are supported'
    })
    const invalid = proxyFor(https, { HTTPS_PROXY: 'http://u:secret@[bad' })
    expect(invalid).toEqual({
      kind: 'invalid',
      variable: 'HTTPS_PROXY',
      reason: 'HTTPS_PROXY is not a valid proxy URL'
    })
  })

  it('lists every proxy password, as written and decoded, for redaction', () => {
    expect(
      proxyPasswordsIn({ HTTPS_PROXY: 'http://u:p%40ss@p:1', http_proxy: 'other:pw2@p:2', NO_PROXY: 'x' })
    ).toEqual(['p%40ss', 'p@ss', 'pw2'])
  })
})
