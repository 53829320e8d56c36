import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { apiFailure, clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const ns = 'team'

describe('ResourceQuota in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator({ namespaces: [ns] })
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  const quota = async (hard: Record<string, string>, name = 'compute') => {
    await clients.core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name }, spec: { hard } }
    })
    return eventually(async () => {
      const q = await clients.core.readNamespacedResourceQuota({ name, namespace: ns })
      return q.status?.used ? q : undefined
    })
  }
  const pod = (name: string, resources?: k8s.V1ResourceRequirements): k8s.V1Pod => ({
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/api:1', ...(resources ? { resources } : {}) }] }
  })
  const replicaSetOf = async (deployment: string) => {
    const list = await clients.apps.listNamespacedReplicaSet({
      namespace: ns,
      labelSelector: `app=${deployment}`
    })
    return list.items[0]
  }
  const failureOf = (conditions: Array<{ type: string }> | undefined) =>
    conditions?.find((c) => c.type === 'ReplicaFailure') as k8s.V1ReplicaSetCondition | undefined

  it('counts limits as requests when only limits are given, and dry runs charge nothing', async () => {
    await quota({ 'requests.memory': '1Gi', 'limits.memory': '2Gi' })
    const created = await clients.core.createNamespacedPod({
      namespace: ns,
      body: pod('limited', { limits: { memory: '1024Mi' } })
    })
    expect(created.spec?.containers[0]!.resources).toEqual({
      limits: { memory: '1Gi' },
      requests: { memory: '1Gi' }
    })
    const failure = await apiFailure(
      clients.core.createNamespacedPod({
        namespace: ns,
        body: pod('more', { limits: { memory: '1Mi' } }),
        dryRun: 'All'
      })
    )
    expect(failure.status.message).toBe(
      'pods "more" is forbidden: exceeded quota: compute, requested: requests.memory=1Mi, used: requests.memory=1Gi, limited: requests.memory=1Gi'
    )
    await clients.core.deleteNamespacedPod({ name: 'limited', namespace: ns })
    const freed = await eventually(async () => {
      const q = await clients.core.readNamespacedResourceQuota({ name: 'compute', namespace: ns })
      return q.status?.used?.['requests.memory'] === '0' ? q : undefined
    })
    expect(freed.status?.used).toEqual({ 'requests.memory': '0', 'limits.memory': '0' })
  })

  it('object-count quotas refuse any kind with count/<resource>', async () => {
    await quota({ 'count/configmaps': '1', 'count/deployments.apps': '0' })
    await clients.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'one' } } })
    const second = await apiFailure(
      clients.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'two' } } })
    )
    expect(second.code).toBe(403)
    expect(second.status.message).toBe(
      'configmaps "two" is forbidden: exceeded quota: compute, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1'
    )
    const deployment = await apiFailure(
      clients.apps.createNamespacedDeployment({
        namespace: ns,
        body: deploymentManifest('web', 'ghcr.io/acme/api:1')
      })
    )
    expect(deployment.status).toMatchObject({
      message:
        'deployments.apps "web" is forbidden: exceeded quota: compute, requested: count/deployments.apps=1, used: count/deployments.apps=0, limited: count/deployments.apps=0',
      details: { name: 'web', group: 'apps', kind: 'deployments' }
    })
  })

  it('a ReplicaSet blocked by the quota recovers once the quota grows: ReplicaFailure goes, on the Deployment too', async () => {
    await quota({ pods: '1' })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/api:1')
    })
    const blocked = await eventually(async () => {
      const rs = await replicaSetOf('web')
      return failureOf(rs?.status?.conditions) ? rs : undefined
    })
    expect(blocked!.status?.replicas).toBe(1)
    const d = await eventually(async () => {
      const got = await clients.apps.readNamespacedDeployment({ name: 'web', namespace: ns })
      return failureOf(got.status?.conditions) ? got : undefined
    })
    expect(failureOf(d.status?.conditions)).toMatchObject({ status: 'True', reason: 'FailedCreate' })

    await clients.core.patchNamespacedResourceQuota(
      { name: 'compute', namespace: ns, body: { spec: { hard: { pods: '5' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)
    )
    const recovered = await eventually(async () => {
      const got = await clients.apps.readNamespacedDeployment({ name: 'web', namespace: ns })
      return got.status?.availableReplicas === 2 && !failureOf(got.status?.conditions) ? got : undefined
    })
    expect(recovered.status?.conditions?.map((c) => c.type)).toEqual(['Available', 'Progressing'])
    expect(failureOf((await replicaSetOf('web'))!.status?.conditions)).toBeUndefined()
  })

  it('repeated refusals are aggregated like client-go: nine events, then one "(combined from similar events)"', async () => {
    await quota({ pods: '0' })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/api:1')
    })
    const events = await eventually(async () => {
      const list = await clients.core.listNamespacedEvent({
        namespace: ns,
        fieldSelector: 'reason=FailedCreate'
      })
      const combined = list.items.find((e) => e.message?.startsWith('(combined from similar events): '))
      return combined && (combined.count ?? 0) >= 2 ? list.items : undefined
    }, 10000)
    expect(events).toHaveLength(10)
    const combined = events.find((e) => e.message?.startsWith('(combined'))!
    expect(combined.message).toMatch(
      /^\(combined from similar events\): Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=0, limited: pods=0$/
    )
    expect(combined.reportingComponent).toBe('')
    expect(combined.source?.component).toBe('replicaset-controller')
  })
})
