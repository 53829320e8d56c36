import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import { startKubernetesSimulator, type KubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import { apiFailure, clientsFor, deploymentManifest, eventually, type Clients } from './simulator-clients.js'

const ns = 'default'

describe('object lifecycle in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients

  beforeEach(async () => {
    sim = await startKubernetesSimulator({ namespaces: ['team-a'] })
    clients = clientsFor(sim)
  })
  afterEach(async () => {
    await sim.close()
  })

  const podsIn = async (namespace: string) => (await clients.core.listNamespacedPod({ namespace })).items
  const settled = (namespace: string, name: string) =>
    eventually(async () => {
      const d = await clients.apps.readNamespacedDeployment({ name, namespace })
      return d.status?.availableReplicas === d.spec?.replicas &&
        d.status?.updatedReplicas === d.spec?.replicas
        ? d
        : undefined
    })

  it('acts on objects seeded directly, and reads them back by kind or resource name', async () => {
    const seeded = sim.create({
      ...deploymentManifest('seeded', 'ghcr.io/acme/web:1'),
      metadata: { name: 'seeded', namespace: 'team-a' }
    }) as k8s.V1Deployment
    expect(seeded.metadata?.uid).toBeDefined()
    expect(seeded.metadata?.generation).toBe(1)
    expect(Number(seeded.metadata?.resourceVersion)).toBeGreaterThan(0)
    await settled('team-a', 'seeded')
    expect(sim.get('apps/v1/Deployment', 'team-a', 'seeded')).toMatchObject({
      kind: 'Deployment',
      apiVersion: 'apps/v1'
    })
    expect(sim.list('pods', 'team-a')).toHaveLength(2)
    expect(sim.list('deploy')).toHaveLength(1)
    expect(sim.writeLog).toEqual([])

    sim.update({ ...seeded, spec: { ...seeded.spec!, replicas: 3 } })
    await eventually(() => sim.list('pods', 'team-a').length === 3)
    sim.delete('deployments', 'team-a', 'seeded')
    await eventually(
      () => sim.list('pods', 'team-a').length === 0 && sim.list('replicasets', 'team-a').length === 0
    )
  })

  it('makes no further writes once everything has settled', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await settled(ns, 'web')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const rv = sim.resourceVersion()
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(sim.resourceVersion()).toBe(rv)
  })

  it('keeps the pods of a ReplicaSet deleted with propagationPolicy Orphan', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await settled(ns, 'web')
    sim.pause()
    const [rs] = (await clients.apps.listNamespacedReplicaSet({ namespace: ns })).items
    await clients.apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Orphan' })
    await clients.apps.deleteNamespacedReplicaSet({
      name: rs!.metadata!.name!,
      namespace: ns,
      propagationPolicy: 'Orphan'
    })
    sim.resume()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const pods = await podsIn(ns)
    expect(pods).toHaveLength(2)
    expect(pods.every((p) => p.metadata?.ownerReferences === undefined)).toBe(true)
  })

  it('removes a deleted namespace and everything in it, refusing new content while it terminates', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: 'team-a',
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await settled('team-a', 'web')
    sim.pause()
    // The apiserver answers a namespace delete with the Terminating Namespace, not a Status.
    const terminating = (await clients.core.deleteNamespace({ name: 'team-a' })) as unknown as k8s.V1Namespace
    expect(terminating.status?.phase).toBe('Terminating')
    const refused = await apiFailure(
      clients.core.createNamespacedConfigMap({
        namespace: 'team-a',
        body: { metadata: { name: 'late' }, data: { a: '1' } }
      })
    )
    expect(refused.code).toBe(403)
    sim.resume()
    await eventually(
      async () => (await apiFailure(clients.core.readNamespace({ name: 'team-a' }))).code === 404
    )
    expect(sim.list('pods', 'team-a')).toEqual([])
  })

  it('scales through the scale subresource', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    const scale = await clients.apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns })
    expect(scale.spec?.replicas).toBe(2)
    expect(scale.status?.selector).toBe('app=web')
    await clients.apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace: ns, body: { spec: { replicas: 4 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)
    )
    await eventually(async () => (await podsIn(ns)).length === 4)
  })

  it('stores ConfigMaps and Secrets, folding stringData into base64 data', async () => {
    await clients.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'settings' }, data: { level: 'debug' } }
    })
    await clients.core.patchNamespacedConfigMap(
      { name: 'settings', namespace: ns, body: { data: { extra: 'yes' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
    )
    const cm = await clients.core.readNamespacedConfigMap({ name: 'settings', namespace: ns })
    expect(cm.data).toEqual({ level: 'debug', extra: 'yes' })
    const secret = await clients.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'token' }, stringData: { token: 'abc' } }
    })
    expect(secret.type).toBe('Opaque')
    expect(secret.data).toEqual({ token: Buffer.from('abc').toString('base64') })
    expect(secret.stringData).toBeUndefined()
  })

  it('holds a paused Deployment at its old ReplicaSet and continues after resume', async () => {
    await clients.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentManifest('web', 'ghcr.io/acme/web:1')
    })
    await settled(ns, 'web')
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)
    await clients.apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { paused: true } } },
      merge
    )
    await clients.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace: ns,
        body: { spec: { template: { metadata: { labels: { app: 'web', v: '2' } } } } }
      },
      merge
    )
    const paused = await eventually(async () => {
      const d = await clients.apps.readNamespacedDeployment({ name: 'web', namespace: ns })
      return d.status?.observedGeneration === d.metadata?.generation ? d : undefined
    })
    expect(paused.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused'
    })
    expect((await clients.apps.listNamespacedReplicaSet({ namespace: ns })).items).toHaveLength(1)
    await clients.apps.patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { paused: false } } },
      merge
    )
    await eventually(async () => {
      const d = await clients.apps.readNamespacedDeployment({ name: 'web', namespace: ns })
      return (
        d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2' &&
        d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason === 'NewReplicaSetAvailable'
      )
    })
  })
})
