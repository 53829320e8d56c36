import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import https from 'node:https'
import { startHealthServer, unusedPortUrl, type HealthServer } from '../../../simulator/health/index.js'
import { createTestPki, type TestPki } from '../../support/test-pki.js'

interface Answer {
  status: number
  body: string
  location?: string
}

/** A plain node:http client, so these tests do not depend on the prober they serve. */
function get(url: string, headers: Record<string, string> = {}, ca?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http
    const request = client.get(url, { headers, agent: false, ...(ca ? { ca } : {}) }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (c: Buffer) => chunks.push(c))
      response.on('end', () => {
        const answer: Answer = { status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') }
        if (response.headers.location) answer.location = response.headers.location
        resolve(answer)
      })
    })
    request.on('error', reject)
  })
}

const statuses = async (url: string, n: number): Promise<number[]> => {
  const out: number[] = []
  for (let i = 0; i < n; i++) out.push((await get(url)).status)
  return out
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the health endpoint simulator', () => {
  let server: HealthServer
  beforeAll(async () => {
    server = await startHealthServer()
  })
  afterAll(async () => {
    await server.close()
  })

  it('answers an up route with JSON status and version, and counts hits', async () => {
    server.route('/healthz', { kind: 'up', version: '1.2.3' })
    const answer = await get(`${server.url}/healthz`)
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok', version: '1.2.3' })
    await get(`${server.url}/healthz?probe=2`)
    expect(server.hits('/healthz')).toBe(2)
  })

  it('serves a custom status and body', async () => {
    server.route('/custom', { kind: 'up', status: 204, body: '' })
    expect((await get(`${server.url}/custom`)).status).toBe(204)
    server.route('/text', { kind: 'status', code: 418, body: 'teapot' })
    expect(await get(`${server.url}/text`)).toMatchObject({ status: 418, body: 'teapot' })
  })

  it('records request headers so tests can assert what was sent', async () => {
    server.route('/h', { kind: 'up' })
    await get(`${server.url}/h`, { 'x-probe': 'yes' })
    expect(server.requests('/h')[0]).toMatchObject({
      method: 'GET',
      url: '/h',
      headers: { 'x-probe': 'yes' }
    })
  })

  it('answers 404 for a path without a route', async () => {
    expect((await get(`${server.url}/unknown`)).status).toBe(404)
    expect(server.hits('/unknown')).toBe(1)
  })

  it('is down for a number of hits, then up', async () => {
    server.route('/hits', { kind: 'down-then-up', downForHits: 2, then: { kind: 'version', version: 'v2' } })
    expect(await statuses(`${server.url}/hits`, 4)).toEqual([503, 503, 200, 200])
    server.route('/custom-down', { kind: 'down-then-up', downForHits: 1, downStatus: 502 })
    expect(await statuses(`${server.url}/custom-down`, 2)).toEqual([502, 200])
  })

  it('is down for a time, then up', async () => {
    server.route('/timed', { kind: 'down-then-up', downForMs: 150 })
    expect((await get(`${server.url}/timed`)).status).toBe(503)
    await sleep(200)
    expect((await get(`${server.url}/timed`)).status).toBe(200)
  })

  it('hangs up instead of answering when asked to', async () => {
    server.route('/hangup', { kind: 'down-then-up', downForHits: 1, downStatus: 'hang-up' })
    await expect(get(`${server.url}/hangup`)).rejects.toThrow(/socket hang up/)
    expect((await get(`${server.url}/hangup`)).status).toBe(200)
  })

  it('cycles through a flapping pattern', async () => {
    server.route('/flap', { kind: 'flapping', pattern: [true, false, false] })
    expect(await statuses(`${server.url}/flap`, 6)).toEqual([200, 503, 503, 200, 503, 503])
  })

  it('delays slow answers', async () => {
    server.route('/slow', { kind: 'slow', delayMs: 120, then: { kind: 'status', code: 201 } })
    const started = Date.now()
    expect((await get(`${server.url}/slow`)).status).toBe(201)
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
  })

  it('asks a version function on every hit', async () => {
    let version = 'old'
    server.route('/version', { kind: 'version', version: () => version })
    expect(JSON.parse((await get(`${server.url}/version`)).body).version).toBe('old')
    version = 'new'
    expect(JSON.parse((await get(`${server.url}/version`)).body)).toEqual({ status: 'ok', version: 'new' })
  })

  it('redirects in a loop between two URLs', async () => {
    server.route('/loop', { kind: 'redirect-loop' })
    expect(await get(`${server.url}/loop`)).toMatchObject({ status: 302, location: '/loop?loop=1' })
    expect(await get(`${server.url}/loop?loop=1`)).toMatchObject({ status: 302, location: '/loop' })
  })

  it('plays a sequence and then repeats its last step', async () => {
    server.route('/seq', {
      kind: 'sequence',
      steps: [
        { kind: 'status', code: 404 },
        { kind: 'status', code: 503 },
        { kind: 'flapping', pattern: [true, false] }
      ]
    })
    expect(await statuses(`${server.url}/seq`, 6)).toEqual([404, 503, 200, 503, 200, 503])
  })

  it('switches behaviour at runtime, starting the new script afresh', async () => {
    server.route('/switch', { kind: 'status', code: 503 })
    expect((await get(`${server.url}/switch`)).status).toBe(503)
    server.route('/switch', { kind: 'down-then-up', downForHits: 1 })
    expect(await statuses(`${server.url}/switch`, 2)).toEqual([503, 200])
    expect(server.hits('/switch')).toBe(3)
  })

  it('echoes request headers', async () => {
    server.route('/echo', { kind: 'echo-headers' })
    const body = JSON.parse((await get(`${server.url}/echo`, { 'x-token': 'abc' })).body)
    expect(body.headers['x-token']).toBe('abc')
  })
})

describe('simulator lifecycle', () => {
  let pki: TestPki
  const servers: HealthServer[] = []
  beforeAll(() => {
    pki = createTestPki()
  })
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })
  afterAll(() => pki.remove())

  it('serves HTTPS with the given key and certificate', async () => {
    const server = await startHealthServer({ https: { key: pki.key, cert: pki.cert } })
    servers.push(server)
    server.route('/healthz', { kind: 'up' })
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect((await get(`${server.url}/healthz`, {}, pki.caPem)).status).toBe(200)
  })

  it('hands out a URL that refuses connections, and can later listen there', async () => {
    const url = await unusedPortUrl()
    await expect(get(`${url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    const server = await startHealthServer({ port: Number(new URL(url).port) })
    servers.push(server)
    server.route('/healthz', { kind: 'up' })
    expect(server.url).toBe(url)
    expect((await get(`${url}/healthz`)).status).toBe(200)
  })

  it('closes promptly while a slow answer is pending', async () => {
    const server = await startHealthServer()
    server.route('/slow', { kind: 'slow', delayMs: 10_000 })
    const pending = get(`${server.url}/slow`).catch((error: Error) => error)
    await sleep(50)
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(500)
    expect(await pending).toMatchObject({ message: 'socket hang up' })
  })
})
