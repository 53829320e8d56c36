import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { startFaultProxy, type Fault, type FaultProxy } from '../../../simulator/faults/fault-proxy.js'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { makeApiClient } from '../../../src/kubernetes/api/api-client.js'
import { classifyFailure, type FailureClass } from '../../../src/kubernetes/api/retry-policy.js'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi } from '../../../src/kubernetes/api/kubernetes-api.js'
import type { Clock } from '../../../src/runtime/clock.js'

/**
 * classifyFailure against the errors client-node really throws, through the fault proxy:
 * with its own fetch, with our dispatcher transport, and wrapped in KubernetesApiError.
 */
/** The client with its own retries off: these tests classify what a single call throws. */
const ONE_ATTEMPT = { policy: { maxAttempts: 1 } }

let sim: KubernetesSimulator
let proxy: FaultProxy
let kubeConfig: k8s.KubeConfig

beforeAll(async () => {
  sim = await startKubernetesSimulator()
  proxy = await startFaultProxy({ upstream: sim.url })
  kubeConfig = createKubeConfig({ kubeconfig: proxy.kubeconfig({ token: sim.token }), env: {} }).kubeConfig
})
afterAll(async () => {
  await proxy.close()
  await sim.close()
})
beforeEach(() => proxy.rules.clear())

const clients = {
  "client-node's fetch": () =>
    kubeConfig.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'default' }),
  'the dispatcher transport': () =>
    makeApiClient(kubeConfig, k8s.CoreV1Api).listNamespacedPod({ namespace: 'default' }),
  'KubernetesWorkloadApi (KubernetesApiError)': () =>
    new KubernetesWorkloadApi(kubeConfig, ONE_ATTEMPT).listPods('default')
}

async function classified(call: () => Promise<unknown>): Promise<FailureClass> {
  try {
    await call()
  } catch (error) {
    return classifyFailure(error)
  }
  throw new Error('expected the call to fail')
}

const faults: Array<[Fault, Partial<FailureClass>]> = [
  [
    { kind: 'throttle', retryAfterSeconds: 3 },
    { kind: 'throttled', applied: 'no', retryAfterMs: 3000, status: 429 }
  ],
  [
    { kind: 'status', code: 503 },
    { kind: 'server', applied: 'maybe', status: 503 }
  ],
  [
    { kind: 'status', code: 502 },
    { kind: 'server', applied: 'maybe', status: 502 }
  ],
  [{ kind: 'reset' }, { kind: 'connection', applied: 'maybe', reason: 'ECONNRESET' }],
  [{ kind: 'reset-after-apply' }, { kind: 'connection', applied: 'maybe', reason: 'ECONNRESET' }],
  [{ kind: 'status-after-apply' }, { kind: 'server', applied: 'maybe', status: 500 }]
]

describe.each(Object.entries(clients))('errors thrown by %s', (_, call) => {
  it.each(faults)('%o', async (fault, expected) => {
    proxy.rules.add({ fault })
    expect(await classified(call)).toMatchObject(expected)
  })

  it('a 404 from the server is permanent', async () => {
    const missing = () =>
      kubeConfig.makeApiClient(k8s.CoreV1Api).readNamespacedPod({ name: 'nope', namespace: 'default' })
    expect(await classified(missing)).toMatchObject({ kind: 'permanent', applied: 'no', status: 404 })
  })
})

it('a refused connection was never sent', async () => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise((resolve) => closed.close(resolve))
  const kubeconfig = proxy.kubeconfig({ token: sim.token }).replace(proxy.url, `http://127.0.0.1:${port}`)
  const refused = createKubeConfig({ kubeconfig, env: {} }).kubeConfig

  for (const call of [
    () => refused.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'default' }),
    () => makeApiClient(refused, k8s.CoreV1Api).listNamespacedPod({ namespace: 'default' }),
    () => new KubernetesWorkloadApi(refused, ONE_ATTEMPT).listPods('default')
  ]) {
    expect(await classified(call)).toMatchObject({
      kind: 'connection',
      applied: 'no',
      reason: 'ECONNREFUSED'
    })
  }
})

it('the client carries an idempotent read through two faults to the answer with withRetries', async () => {
  proxy.rules.add({ next: 1, fault: { kind: 'throttle', retryAfterSeconds: 1 } })
  proxy.rules.add({ next: 1, fault: { kind: 'reset' } })
  const sleeps: number[] = []
  const clock: Clock = { now: () => Date.now(), sleep: (ms) => Promise.resolve(void sleeps.push(ms)) }
  const api = new KubernetesWorkloadApi(kubeConfig, { clock, policy: { random: () => 0 } })

  const pods = await api.listPods('default')

  expect(pods.items).toEqual([])
  expect(sleeps).toEqual([1000, 500])
  expect(proxy.requests.slice(-3).map((r) => r.fault ?? 'none')).toEqual(['throttle', 'reset', 'none'])
})
