import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const ns = 'default'

async function rolledOut(clients: Clients, name: string): Promise<k8s.V1Deployment | undefined> {
  const d = await clients.apps.readNamespacedDeployment({ name, namespace: ns })
  const s = d.status ?? {}
  const want = d.spec?.replicas ?? 1
  const progressing = s.conditions?.find((c) => c.type === 'Progressing')
  const done =
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    progressing?.reason === 'NewReplicaSetAvailable'
  return done ? d : undefined
}

describe('deployment rollouts in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator()
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  it('rolls a new deployment out to completion with revision annotations on it and its ReplicaSet', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1.0.0')
    })

    const d = await eventually(() => rolledOut(clients, 'web'), 5000, 'rollout')
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1')
    expect(d.status?.readyReplicas).toBe(2)
    expect(d.status?.unavailableReplicas).toBeUndefined()
    expect(d.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable'
    })

    const { items: replicaSets } = await clients.apps.listNamespacedReplicaSet({
      namespace: ns,
      labelSelector: 'app=web'
    })
    expect(replicaSets).toHaveLength(1)
    const rs = replicaSets[0]!
    const hash = rs.metadata?.labels?.['pod-template-hash']
    expect(rs.metadata?.name).toBe(`web-${hash}`)
    expect(rs.spec?.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash })
    expect(rs.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '2',
      'deployment.kubernetes.io/max-replicas': '3'
    })
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      controller: true
    })

    const { items: pods } = await clients.core.listNamespacedPod({
      namespace: ns,
      labelSelector: `pod-template-hash=${hash}`
    })
    expect(pods).toHaveLength(2)
    for (const pod of pods) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`))
      expect(pod.spec?.nodeName).toMatch(/^simulator-node-\d$/)
      expect(pod.status?.phase).toBe('Running')
      expect(pod.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
        'Initialized=True',
        'Ready=True',
        'ContainersReady=True',
        'PodScheduled=True'
      ])
      expect(pod.status?.containerStatuses?.[0]).toMatchObject({
        name: 'app',
        image: 'ghcr.io/acme/web:1.0.0',
        ready: true,
        started: true,
        restartCount: 0
      })
      expect(pod.status?.containerStatuses?.[0]?.imageID).toMatch(/^ghcr\.io\/acme\/web@sha256:[0-9a-f]{64}$/)
    }
  })

  it('rolls out a new image as a new ReplicaSet with the next revision and the change-cause', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1.0.0')
    })
    await eventually(() => rolledOut(clients, 'web'))

    const patched = await clients.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: {
          metadata: { annotations: { 'kubernetes.io/change-cause': 'promote 1.1.0' } },
          spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.1.0' }] } } }
        }
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
    )
    expect(patched.metadata?.generation).toBe(2)
    expect(patched.status?.observedGeneration).toBe(1)

    const d = await eventually(() => rolledOut(clients, 'web'), 5000, 'second rollout')
    expect(d.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('2')

    const { items } = await clients.apps.listNamespacedReplicaSet({ namespace: ns })
    const byRevision = Object.fromEntries(
      items.map((rs) => [rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], rs])
    )
    expect(byRevision['2']?.spec?.template?.spec?.containers[0]?.image).toBe('ghcr.io/acme/web:1.1.0')
    expect(byRevision['2']?.metadata?.annotations?.['kubernetes.io/change-cause']).toBe('promote 1.1.0')
    expect(byRevision['2']?.spec?.replicas).toBe(2)
    expect(byRevision['1']?.spec?.replicas).toBe(0)

    const { items: pods } = await clients.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })
    expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual([
      'ghcr.io/acme/web:1.1.0',
      'ghcr.io/acme/web:1.1.0'
    ])

    const { items: events } = await clients.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.kind=Deployment,involvedObject.name=web'
    })
    const messages = events.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message)
    expect(messages).toContain(`Scaled up replica set ${byRevision['2']?.metadata?.name} from 0 to 1`)
    expect(messages).toContain(`Scaled down replica set ${byRevision['1']?.metadata?.name} from 2 to 1`)
  })
  it('reports the digest set for an image, or the one pinned in the reference, as imageID', async () => {
    const digest = `sha256:${'ab'.repeat(32)}`
    sim.setImageDigest('ghcr.io/acme/web:1.0.0', digest)
    const pinned = `ghcr.io/acme/pinned@sha256:${'cd'.repeat(32)}`
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1.0.0')
    })
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('pinned', pinned)
    })
    const imageIds = await eventually(async () => {
      const { items } = await clients.core.listNamespacedPod({ namespace: ns })
      const ids = items.map((p) => p.status?.containerStatuses?.[0]?.imageID ?? '')
      return items.length === 4 && ids.every((id) => id !== '') ? new Set(ids) : undefined
    })
    expect([...imageIds].sort()).toEqual([pinned, `ghcr.io/acme/web@${digest}`])
  })
})
