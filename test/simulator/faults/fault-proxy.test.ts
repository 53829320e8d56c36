import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import {
  startFaultProxy,
  type FaultProxy,
  type FaultProxyOptions
} from '../../../simulator/faults/fault-proxy.js'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { createTestPki, type TestPki } from '../../support/test-pki.js'
import { deploymentManifest } from '../kubernetes/simulator-clients.js'

/**
 * Each fault kind against the simulator, with client-node as the client: what the client
 * sees, and what the server holds afterwards.
 */
const ns = 'default'
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)
const imagePatch = (image: string) => ({
  spec: { template: { spec: { containers: [{ name: 'app', image }] } } }
})

let sim: KubernetesSimulator
let proxy: FaultProxy
let kc: k8s.KubeConfig
let apps: k8s.AppsV1Api

async function start(options: Omit<FaultProxyOptions, 'upstream'> = {}): Promise<void> {
  proxy = await startFaultProxy({ upstream: sim.url, ...options })
  kc = new k8s.KubeConfig()
  kc.loadFromString(proxy.kubeconfig({ token: sim.token }))
  apps = kc.makeApiClient(k8s.AppsV1Api)
}

beforeEach(async () => {
  sim = await startKubernetesSimulator()
  sim.create({ ...deploymentManifest('web', 'web:1'), metadata: { name: 'web', namespace: ns } })
})
afterEach(async () => {
  await proxy?.close()
  await sim.close()
})

/** The error a call rejected with (the test fails if it resolved). */
async function failure(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call
  } catch (error) {
    return error as Record<string, unknown>
  }
  throw new Error('expected the call to fail')
}

/** The `code` strings along an error's cause chain (fetch failed -> ECONNRESET, ...). */
function causeCodes(error: unknown): string[] {
  const codes: string[] = []
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string') codes.push(e.code)
  }
  return codes
}

const storedImage = () =>
  (sim.get('apps/v1/Deployment', ns, 'web') as k8s.V1Deployment).spec?.template.spec?.containers[0]?.image
const simulatorSaw = (method: string) =>
  sim.requestLog.filter((entry) => entry.method === method && entry.path.endsWith('/deployments/web'))
const patchWeb = (image: string) =>
  apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: imagePatch(image) }, merge)

describe('the fault proxy without faults', () => {
  beforeEach(() => start())

  it('forwards requests and answers unchanged, and records them as applied', async () => {
    await patchWeb('web:2')
    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns })

    expect(read.spec?.template.spec?.containers[0]?.image).toBe('web:2')
    expect(storedImage()).toBe('web:2')
    expect(proxy.requests.map((r) => [r.method, r.path, r.forwarded, r.applied, r.upstreamStatus])).toEqual([
      ['PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`, true, true, 200],
      ['GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`, true, true, 200]
    ])
  })

  it('passes the upstream’s own errors through, recorded as forwarded but not applied', async () => {
    const error = await failure(apps.readNamespacedDeployment({ name: 'missing', namespace: ns }))
    expect(error.code).toBe(404)
    expect(proxy.requests[0]).toMatchObject({
      forwarded: true,
      applied: false,
      upstreamStatus: 404,
      clientStatus: 404
    })
  })
})

describe('answering without forwarding', () => {
  beforeEach(() => start())

  it.each([
    [500, 'InternalError'],
    [502, undefined],
    [503, 'ServiceUnavailable'],
    [504, 'Timeout']
  ] as const)('answers %i with a Status body and leaves the server untouched', async (code, reason) => {
    proxy.rules.add({ method: 'PATCH', fault: { kind: 'status', code } })

    const error = await failure(patchWeb('web:2'))

    expect(error.code).toBe(code)
    const status = JSON.parse(String(error.body)) as { kind: string; code: number; reason?: string }
    expect(status).toMatchObject({ kind: 'Status', code })
    expect(status.reason).toBe(reason)
    expect(storedImage()).toBe('web:1')
    expect(simulatorSaw('PATCH')).toHaveLength(0)
    expect(proxy.requests[0]).toMatchObject({
      fault: 'status',
      forwarded: false,
      applied: false,
      clientStatus: code
    })
  })

  it('answers 429 TooManyRequests with Retry-After in the header and the Status details', async () => {
    proxy.rules.add({ method: 'GET', fault: { kind: 'throttle', retryAfterSeconds: 2 } })

    const error = await failure(apps.readNamespacedDeployment({ name: 'web', namespace: ns }))

    expect(error.code).toBe(429)
    expect((error.headers as Record<string, string>)['retry-after']).toBe('2')
    expect(JSON.parse(String(error.body))).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 2 }
    })
    expect(simulatorSaw('GET')).toHaveLength(0)
  })

  it('can add Retry-After to a 503, as an API server shutting down does', async () => {
    proxy.rules.add({ fault: { kind: 'status', code: 503, retryAfterSeconds: 1 } })
    const error = await failure(apps.readNamespacedDeployment({ name: 'web', namespace: ns }))
    expect((error.headers as Record<string, string>)['retry-after']).toBe('1')
  })
})

describe('connection resets', () => {
  beforeEach(() => start())

  it('resets before forwarding: the client gets a connection error and the server never saw the request', async () => {
    proxy.rules.add({ method: 'PATCH', fault: { kind: 'reset' } })

    const error = await failure(patchWeb('web:2'))

    expect(error.code).toBeUndefined()
    expect(causeCodes(error)).toContain('ECONNRESET')
    expect(storedImage()).toBe('web:1')
    expect(simulatorSaw('PATCH')).toHaveLength(0)
    await proxy.settled()
    expect(proxy.requests[0]).toMatchObject({ fault: 'reset', forwarded: false, applied: false, done: true })
    expect(proxy.requests[0]?.clientStatus).toBeUndefined()
  })

  it('resets after the server applied the request: the client gets an error, yet the Deployment IS patched', async () => {
    proxy.rules.add({ method: 'PATCH', fault: { kind: 'reset-after-apply' } })

    const error = await failure(patchWeb('web:2'))

    expect(causeCodes(error)).toContain('ECONNRESET')
    expect(storedImage()).toBe('web:2')
    expect(simulatorSaw('PATCH').map((entry) => entry.status)).toEqual([200])
    expect(proxy.requests[0]).toMatchObject({
      fault: 'reset-after-apply',
      forwarded: true,
      applied: true,
      upstreamStatus: 200
    })
  })

  it('answers 500 after the server applied the request: the client sees a server error, yet the Deployment IS patched', async () => {
    proxy.rules.add({ method: 'PATCH', fault: { kind: 'status-after-apply' } })

    const error = await failure(patchWeb('web:2'))

    expect(error.code).toBe(500)
    expect(storedImage()).toBe('web:2')
    expect(proxy.requests[0]).toMatchObject({ applied: true, upstreamStatus: 200, clientStatus: 500 })
  })

  it('the next request after a reset opens a new connection and goes through', async () => {
    proxy.rules.add({ next: 1, fault: { kind: 'reset' } })
    await failure(apps.readNamespacedDeployment({ name: 'web', namespace: ns }))
    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns })
    expect(read.metadata?.name).toBe('web')
  })
})

describe('hanging', () => {
  beforeEach(() => start())

  it('never answers: the client times out and the server never saw the request', async () => {
    proxy.rules.add({ method: 'GET', fault: { kind: 'hang' } })
    const timeout = AbortSignal.timeout(200)
    const withTimeout: k8s.ConfigurationOptions = {
      middleware: [
        {
          pre: (context) => {
            context.setSignal(timeout)
            return new k8s.Observable(Promise.resolve(context))
          },
          post: (response) => new k8s.Observable(Promise.resolve(response))
        }
      ],
      middlewareMergeStrategy: 'append'
    }

    const started = Date.now()
    const error = await failure(apps.readNamespacedDeployment({ name: 'web', namespace: ns }, withTimeout))

    expect(error.name).toBe('TimeoutError')
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
    expect(simulatorSaw('GET')).toHaveLength(0)
    await proxy.settled()
    expect(proxy.requests[0]).toMatchObject({ fault: 'hang', forwarded: false, done: true })
  })
})

describe('cutting watches', () => {
  beforeEach(async () => {
    // No controllers: the watch sees exactly the four ADDED events, no status updates.
    sim.pause()
    for (const name of ['a', 'b', 'c'])
      sim.create({ ...deploymentManifest(name, `${name}:1`), metadata: { name, namespace: ns } })
    await start()
  })

  async function watchDeployments(): Promise<{ types: string[]; error: unknown }> {
    const types: string[] = []
    let error: unknown
    await new Promise<void>((resolve) => {
      void new k8s.Watch(kc).watch(
        `/apis/apps/v1/namespaces/${ns}/deployments`,
        {},
        (type) => types.push(type),
        (err) => {
          error = err
          resolve()
        }
      )
    })
    return { types, error }
  }

  it('passes the stream through and breaks it off after N events', async () => {
    proxy.rules.add({ query: { watch: 'true' }, fault: { kind: 'cut-watch', afterEvents: 2 } })

    const { types, error } = await watchDeployments()

    expect(types).toEqual(['ADDED', 'ADDED'])
    expect(error).toBeTruthy()
    await proxy.settled()
    expect(proxy.requests[0]).toMatchObject({
      fault: 'cut-watch',
      applied: true,
      events: 2,
      clientStatus: 200
    })
  })

  it('resets the stream after N events when told to, losing at most the events in flight', async () => {
    proxy.rules.add({ query: { watch: 'true' }, fault: { kind: 'cut-watch', afterEvents: 2, how: 'reset' } })

    const { types, error } = await watchDeployments()

    expect(['ADDED', 'ADDED']).toEqual(expect.arrayContaining(types))
    expect(types.length).toBeLessThanOrEqual(2)
    expect(error).toBeTruthy()
  })

  it('ends the stream cleanly after N events when told to, as a watch timing out does', async () => {
    proxy.rules.add({ query: { watch: 'true' }, fault: { kind: 'cut-watch', afterEvents: 3, how: 'end' } })

    const { types, error } = await watchDeployments()

    expect(types).toEqual(['ADDED', 'ADDED', 'ADDED'])
    expect(error).toBeNull()
  })

  it('cuts the stream after M ms, with every event sent before the cut delivered', async () => {
    proxy.rules.add({ query: { watch: 'true' }, fault: { kind: 'cut-watch', afterMs: 150 } })

    const started = Date.now()
    const { types, error } = await watchDeployments()

    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(types).toEqual(['ADDED', 'ADDED', 'ADDED', 'ADDED'])
    expect(error).toBeTruthy()
  })

  it('leaves reads of the same path alone when the rule matches watch=true', async () => {
    proxy.rules.add({ query: { watch: 'true' }, fault: { kind: 'reset' } })
    const list = await apps.listNamespacedDeployment({ namespace: ns })
    expect(list.items).toHaveLength(4)
  })
})

describe('when rules fire', () => {
  beforeEach(() => start())
  const read = () =>
    apps.readNamespacedDeployment({ name: 'web', namespace: ns }).then(
      () => 'ok',
      (error: { code?: number }) => String(error.code)
    )

  it('fires on the next N matching requests with `next`', async () => {
    const rule = proxy.rules.add({ next: 2, fault: { kind: 'status', code: 503 } })
    const outcomes = [await read(), await read(), await read()]
    expect(outcomes).toEqual(['503', '503', 'ok'])
    expect([rule.matched, rule.fired]).toEqual([3, 2])
  })

  it('fires on the nth matching request with `nth`', async () => {
    proxy.rules.add({ nth: 2, fault: { kind: 'status', code: 500 } })
    expect([await read(), await read(), await read()]).toEqual(['ok', '500', 'ok'])
  })

  it('fires on the first rule that fires, in the order the rules were added', async () => {
    proxy.rules.add({ nth: 2, fault: { kind: 'status', code: 500 } })
    proxy.rules.add({ fault: { kind: 'status', code: 503 } })
    expect([await read(), await read()]).toEqual(['503', '500'])
  })

  it('matches the method, the path and query parameters, and an absent parameter with null', async () => {
    proxy.rules.add({
      method: 'PATCH',
      path: /\/deployments\/web$/,
      query: { dryRun: 'All' },
      fault: { kind: 'status', code: 500 }
    })
    proxy.rules.add({ method: 'PATCH', query: { dryRun: null }, fault: { kind: 'status', code: 503 } })

    const dryRun = await failure(
      apps.patchNamespacedDeployment(
        { name: 'web', namespace: ns, body: imagePatch('web:2'), dryRun: 'All' },
        merge
      )
    )
    const real = await failure(patchWeb('web:2'))

    expect([dryRun.code, real.code]).toEqual([500, 503])
    expect(await read()).toBe('ok')
  })

  it('fires with a seeded probability: the same seed faults the same requests on every run', async () => {
    const run = async () => {
      proxy.rules.clear()
      proxy.requests.length = 0
      proxy.rules.add({ rate: 0.1, seed: 42, fault: { kind: 'status', code: 503 } })
      for (let i = 0; i < 100; i++) await read()
      return proxy.requests.filter((r) => r.fault).map((r) => r.seq)
    }
    const first = await run()
    const second = await run()

    expect(second).toEqual(first)
    expect(first.length).toBeGreaterThanOrEqual(4)
    expect(first.length).toBeLessThanOrEqual(18)
  })

  it('stops firing once removed or cleared', async () => {
    const rule = proxy.rules.add({ fault: { kind: 'status', code: 503 } })
    expect(await read()).toBe('503')
    rule.remove()
    expect(await read()).toBe('ok')
    proxy.rules.add({ fault: { kind: 'status', code: 503 } })
    proxy.rules.clear()
    expect(await read()).toBe('ok')
  })
})

describe('TLS', () => {
  let pki: TestPki
  beforeEach(() => {
    pki = createTestPki()
  })
  afterEach(() => pki.remove())

  it('serves https with its own certificate, trusted through the kubeconfig’s CA data', async () => {
    await start({ tls: { key: pki.key, cert: pki.cert, ca: pki.caPem } })
    expect(proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(proxy.caData).toBe(Buffer.from(pki.caPem).toString('base64'))

    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns })
    expect(read.metadata?.name).toBe('web')
  })

  it('resets TLS connections at the TCP level, as it does plain ones', async () => {
    await start({ tls: { key: pki.key, cert: pki.cert, ca: pki.caPem } })
    proxy.rules.add({ fault: { kind: 'reset-after-apply' } })

    const error = await failure(patchWeb('web:2'))

    expect(causeCodes(error)).toContain('ECONNRESET')
    expect(storedImage()).toBe('web:2')
  })

  it('forwards to an https upstream it verifies against the given CA, with the bearer token unchanged', async () => {
    const tlsFront = await startFaultProxy({
      upstream: sim.url,
      tls: { key: pki.key, cert: pki.cert, ca: pki.caPem }
    })
    try {
      proxy = await startFaultProxy({ upstream: { url: tlsFront.url, ca: pki.caPem } })
      kc = new k8s.KubeConfig()
      kc.loadFromString(proxy.kubeconfig({ token: sim.token }))
      apps = kc.makeApiClient(k8s.AppsV1Api)

      await patchWeb('web:3')
      expect(storedImage()).toBe('web:3')

      kc.loadFromString(proxy.kubeconfig({ token: 'not-the-token' }))
      const rejected = await failure(
        kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: ns })
      )
      expect(rejected.code).toBe(401)
    } finally {
      await tlsFront.close()
    }
  })

  it('refuses an https upstream whose certificate the given CA did not sign', async () => {
    const tlsFront = await startFaultProxy({
      upstream: sim.url,
      tls: { key: pki.key, cert: pki.cert, ca: pki.caPem }
    })
    try {
      proxy = await startFaultProxy({ upstream: { url: tlsFront.url, ca: pki.otherCaPem } })
      kc = new k8s.KubeConfig()
      kc.loadFromString(proxy.kubeconfig({ token: sim.token }))
      const error = await failure(
        kc.makeApiClient(k8s.AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: ns })
      )
      expect(error.code).toBe(502)
    } finally {
      await tlsFront.close()
    }
  })
})
