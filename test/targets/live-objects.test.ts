import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../simulator/kubernetes/index.js'
import { createKubeConfig } from '../../src/kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi } from '../../src/kubernetes/api/kubernetes-api.js'
import { LiveObjects } from '../../src/targets/live-objects.js'

describe('LiveObjects', () => {
  let sim: KubernetesSimulator
  let api: KubernetesWorkloadApi
  beforeEach(async () => {
    sim = await startKubernetesSimulator({ namespaces: ['shop'] })
    api = new KubernetesWorkloadApi(createKubeConfig({ kubeconfig: sim.kubeconfig(), env: {} }).kubeConfig)
  })
  afterEach(async () => {
    await sim.close()
  })
  const lists = () =>
    sim.requestLog.filter((r) => r.method === 'GET' && r.path.endsWith('/configmaps')).length

  it('lists a kind once per namespace, however many readers ask at once, until forgotten', async () => {
    const objects = new LiveObjects()
    await Promise.all([1, 2, 3].map(() => objects.list(api, 'ConfigMap', 'shop')))
    await objects.list(api, 'ConfigMap', 'shop')
    expect(lists()).toBe(1)
    objects.forget()
    await objects.list(api, 'ConfigMap', 'shop')
    expect(lists()).toBe(2)
  })

  it('keeps Secrets as key names only: values and annotations are gone on arrival', async () => {
    sim.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'shop',
        labels: { app: 'web' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"url":"pg://secret"}}'
        }
      },
      stringData: { url: 'pg://secret' }
    })
    const objects = new LiveObjects()
    const [listed] = await objects.list(api, 'Secret', 'shop')
    expect(listed).toEqual({
      metadata: { name: 'db', namespace: 'shop', labels: { app: 'web' } },
      type: 'Opaque',
      data: { url: '' }
    })
    expect(JSON.stringify(await objects.get(api, 'Secret', 'shop', 'db'))).not.toContain('secret')
  })

  it('tells a kind the API does not serve from a failure, and does not remember a failure', async () => {
    const objects = new LiveObjects()
    expect(await objects.listIfServed(api, 'ExternalSecret', 'shop')).toBeUndefined()
    await expect(objects.list(api, 'ExternalSecret', 'shop')).rejects.toThrow(/404|not found/i)
    sim.denyRequests({ verb: 'list', resource: 'configmaps' })
    await expect(objects.list(api, 'ConfigMap', 'shop')).rejects.toThrow(/forbidden/i)
    sim.allowAllRequests()
    expect(await objects.list(api, 'ConfigMap', 'shop')).toEqual([])
  })
})
