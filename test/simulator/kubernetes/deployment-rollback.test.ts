import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const ns = 'default'
const revisionKey = 'deployment.kubernetes.io/revision'
const bookkeeping = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionKey,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to'
])

describe('deployment rollback and history in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator()
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  async function completeAt(revision: string): Promise<k8s.V1Deployment> {
    return eventually(
      async () => {
        const d = await clients.apps.readNamespacedDeployment({ name: 'web', namespace: ns })
        const s = d.status ?? {}
        const done =
          d.metadata?.annotations?.[revisionKey] === revision &&
          (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
          s.updatedReplicas === 2 &&
          s.replicas === 2 &&
          s.availableReplicas === 2
        return done ? d : undefined
      },
      5000,
      `revision ${revision} rolled out`
    )
  }

  async function setImage(image: string, changeCause: string): Promise<void> {
    await clients.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: {
          metadata: { annotations: { 'kubernetes.io/change-cause': changeCause } },
          spec: { template: { spec: { containers: [{ name: 'app', image }] } } }
        }
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
    )
  }

  async function replicaSets(): Promise<k8s.V1ReplicaSet[]> {
    return (await clients.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' })).items
  }

  it('re-adopts the old ReplicaSet with a new highest revision when a JSON patch restores its template', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await completeAt('1')
    await setImage('ghcr.io/acme/web:2', 'promote 2')
    const current = await completeAt('2')

    // What kubectl rollout undo --to-revision=1 sends.
    const target = (await replicaSets()).find((rs) => rs.metadata?.annotations?.[revisionKey] === '1')!
    const template = structuredClone(target.spec!.template!)
    delete template.metadata!.labels!['pod-template-hash']
    const annotations: Record<string, string> = {}
    for (const [k, v] of Object.entries(current.metadata?.annotations ?? {}))
      if (bookkeeping.has(k)) annotations[k] = v
    for (const [k, v] of Object.entries(target.metadata?.annotations ?? {}))
      if (!bookkeeping.has(k)) annotations[k] = v
    await clients.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: [
          { op: 'replace', path: '/spec/template', value: template },
          { op: 'replace', path: '/metadata/annotations', value: annotations }
        ]
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)
    )

    await completeAt('3')
    const sets = await replicaSets()
    expect(sets).toHaveLength(2)
    const readopted = sets.find((rs) => rs.metadata?.uid === target.metadata?.uid)!
    expect(readopted.metadata?.annotations?.[revisionKey]).toBe('3')
    expect(readopted.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1')
    expect(readopted.spec?.replicas).toBe(2)
    const previous = sets.find((rs) => rs.metadata?.uid !== target.metadata?.uid)!
    expect(previous.metadata?.annotations?.[revisionKey]).toBe('2')
    expect(previous.spec?.replicas).toBe(0)
    const pods = await eventually(async () => {
      const live = (await clients.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' })).items
      return live.length === 2 && live.every((p) => p.spec?.containers[0]?.image === 'ghcr.io/acme/web:1')
        ? live
        : undefined
    })
    const hash = readopted.metadata?.labels?.['pod-template-hash']
    expect(pods.map((p) => p.metadata?.labels?.['pod-template-hash'])).toEqual([hash, hash])
  })

  it('garbage-collects ReplicaSets beyond revisionHistoryLimit, oldest revision first', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1', { revisionHistoryLimit: 1 })
    })
    await completeAt('1')
    await setImage('ghcr.io/acme/web:2', 'two')
    await completeAt('2')
    await setImage('ghcr.io/acme/web:3', 'three')
    await completeAt('3')
    const revisions = await eventually(async () => {
      const sets = await replicaSets()
      return sets.length === 2 ? sets.map((rs) => rs.metadata?.annotations?.[revisionKey]).sort() : undefined
    })
    expect(revisions).toEqual(['2', '3'])
  })

  it('replaces all pods at once with the Recreate strategy', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1', { strategy: { type: 'Recreate' } })
    })
    await completeAt('1')
    await setImage('ghcr.io/acme/web:2', 'two')
    const d = await completeAt('2')
    expect(d.spec?.strategy?.rollingUpdate).toBeUndefined()
    const sets = await replicaSets()
    expect(sets.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2])
  })
})
