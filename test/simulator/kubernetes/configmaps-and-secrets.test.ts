import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { apiFailure, clientsFor, type Clients } from './simulator-clients.js'

const ns = 'default'
const merge = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)

describe('ConfigMaps and Secrets in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator()
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  it('stores stringData as base64 data (also when seeded) and selects Secrets by label and type', async () => {
    await clients.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'api', labels: { app: 'api' } }, stringData: { token: 'not-a-real-token' } }
    })
    sim.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tls', namespace: ns },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': 'c', 'tls.key': 'k' }
    })
    const api = await clients.core.readNamespacedSecret({ name: 'api', namespace: ns })
    expect(api.data).toEqual({ token: Buffer.from('not-a-real-token').toString('base64') })
    expect(api.stringData).toBeUndefined()
    const byLabel = await clients.core.listNamespacedSecret({ namespace: ns, labelSelector: 'app=api' })
    expect(byLabel.items.map((s) => s.metadata?.name)).toEqual(['api'])
    const byType = await clients.core.listNamespacedSecret({
      namespace: ns,
      fieldSelector: 'type=kubernetes.io/tls'
    })
    expect(byType.items.map((s) => s.metadata?.name)).toEqual(['tls'])
  })

  it('refuses a change of a Secret type and of an immutable ConfigMap, with every error at once', async () => {
    await clients.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 's' }, data: { a: 'YWJj' } }
    })
    const retyped = await apiFailure(
      clients.core.patchNamespacedSecret(
        { name: 's', namespace: ns, body: { type: 'kubernetes.io/basic-auth' } },
        merge()
      )
    )
    expect(retyped.status.message).toBe(
      'Secret "s" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable'
    )
    await clients.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'frozen' }, immutable: true, data: { a: '1' } }
    })
    const thawed = await apiFailure(
      clients.core.patchNamespacedConfigMap(
        { name: 'frozen', namespace: ns, body: { data: { a: '2' }, immutable: false } },
        merge()
      )
    )
    expect(thawed.code).toBe(422)
    expect(thawed.status.message).toBe(
      'ConfigMap "frozen" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]'
    )
  })

  it('ConfigMap binaryData is base64 and its keys may not repeat data keys', async () => {
    const bad = await apiFailure(
      clients.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'bin' }, binaryData: { a: 'abc' } }
      })
    )
    expect(bad.status.message).toBe(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 0'
    )
    const twice = await apiFailure(
      clients.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'twice' }, data: { c: 'x' }, binaryData: { c: 'YWJj' } }
      })
    )
    expect(twice.status.message).toBe(
      'ConfigMap "twice" is invalid: data[c]: Invalid value: "c": duplicate of key present in binaryData'
    )
  })
})
