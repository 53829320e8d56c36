import { afterEach, describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'
import {
  startKubernetesSimulator,
  type KubernetesSimulator,
  type KubernetesSimulatorOptions
} from '../../../simulator/kubernetes/index.js'
import { clientsFor, eventually, type Clients } from './simulator-clients.js'

const ns = 'default'
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)

function statefulSet(
  name: string,
  image: string,
  spec: Partial<k8s.V1StatefulSetSpec> = {}
): k8s.V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
      ...spec
    }
  }
}

function daemonSet(name: string, image: string): k8s.V1DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image }] } }
    }
  }
}

describe('StatefulSet and DaemonSet rollouts in the Kubernetes simulator', () => {
  let sim: KubernetesSimulator
  let clients: Clients
  const aborts: AbortController[] = []

  async function start(options: KubernetesSimulatorOptions = {}): Promise<void> {
    sim = await startKubernetesSimulator(options)
    clients = clientsFor(sim)
  }
  afterEach(async () => {
    for (const abort of aborts.splice(0)) abort.abort()
    await sim.close()
  })

  async function podEvents(labelSelector: string): Promise<Array<{ type: string; name: string }>> {
    const seen: Array<{ type: string; name: string }> = []
    const abort = await new k8s.Watch(clients.kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector },
      (type, object: k8s.V1Pod) => seen.push({ type, name: object.metadata!.name! }),
      () => undefined
    )
    aborts.push(abort)
    return seen
  }

  async function stsSettled(
    name: string,
    check: (s: k8s.V1StatefulSet) => boolean
  ): Promise<k8s.V1StatefulSet> {
    return eventually(
      async () => {
        const s = await clients.apps.readNamespacedStatefulSet({ name, namespace: ns })
        const observed = (s.status?.observedGeneration ?? 0) >= (s.metadata?.generation ?? 1)
        return observed && check(s) ? s : undefined
      },
      8000,
      `statefulset ${name}`
    )
  }

  it('creates StatefulSet pods in ordinal order and reports one revision when done', async () => {
    await start()
    const seen = await podEvents('app=db')
    await clients.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('db', 'postgres:16.1')
    })
    const s = await stsSettled(
      'db',
      (x) => x.status?.readyReplicas === 3 && x.status.currentRevision === x.status.updateRevision
    )
    expect(seen.filter((e) => e.type === 'ADDED').map((e) => e.name)).toEqual(['db-0', 'db-1', 'db-2'])
    expect(s.status).toMatchObject({
      replicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3
    })
    expect(s.status?.updateRevision).toMatch(/^db-[a-z0-9]+$/)
    const { items: pods } = await clients.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=db' })
    expect(pods.map((p) => p.metadata?.labels?.['controller-revision-hash'])).toEqual([
      s.status?.updateRevision,
      s.status?.updateRevision,
      s.status?.updateRevision
    ])
    expect(pods[0]?.metadata?.labels?.['statefulset.kubernetes.io/pod-name']).toBe('db-0')
    const { items: revisions } = await clients.apps.listNamespacedControllerRevision({ namespace: ns })
    expect(revisions.map((r) => r.metadata?.name)).toEqual([s.status?.updateRevision])
  })

  it('rolls a StatefulSet update from the highest ordinal down and then makes the update revision current', async () => {
    await start()
    await clients.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('db', 'postgres:16.1')
    })
    const before = await stsSettled('db', (x) => x.status?.readyReplicas === 3)
    const seen = await podEvents('app=db')
    await clients.apps.patchNamespacedStatefulSet(
      {
        name: 'db',
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'postgres:16.2' }] } } } }
      },
      strategic
    )
    const after = await stsSettled(
      'db',
      (x) =>
        x.status?.updatedReplicas === 3 &&
        x.status.readyReplicas === 3 &&
        x.status.currentRevision === x.status.updateRevision
    )
    expect(after.status?.updateRevision).not.toBe(before.status?.updateRevision)
    expect(seen.filter((e) => e.type === 'DELETED').map((e) => e.name)).toEqual(['db-2', 'db-1', 'db-0'])
  })

  it('honours a partition: only ordinals at or above it are updated and the current revision stays', async () => {
    await start()
    await clients.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('db', 'postgres:16.1', {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }
      })
    })
    const before = await stsSettled('db', (x) => x.status?.readyReplicas === 3)
    await clients.apps.patchNamespacedStatefulSet(
      {
        name: 'db',
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'postgres:16.2' }] } } } }
      },
      strategic
    )
    const after = await stsSettled(
      'db',
      (x) => x.status?.updatedReplicas === 1 && x.status.readyReplicas === 3
    )
    expect(after.status?.currentRevision).toBe(before.status?.currentRevision)
    expect(after.status?.updateRevision).not.toBe(after.status?.currentRevision)
    expect(after.status?.currentReplicas).toBe(2)
    const { items: pods } = await clients.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=db' })
    expect(Object.fromEntries(pods.map((p) => [p.metadata?.name, p.spec?.containers[0]?.image]))).toEqual({
      'db-0': 'postgres:16.1',
      'db-1': 'postgres:16.1',
      'db-2': 'postgres:16.2'
    })
  })

  it('stops a StatefulSet update at the first pod that does not become ready', async () => {
    await start()
    sim.setImageBehaviour('postgres:broken', { kind: 'crash-loop' })
    await clients.apps.createNamespacedStatefulSet({
      namespace: ns,
      body: statefulSet('db', 'postgres:16.1')
    })
    await stsSettled('db', (x) => x.status?.readyReplicas === 3)
    await clients.apps.patchNamespacedStatefulSet(
      {
        name: 'db',
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'postgres:broken' }] } } } }
      },
      strategic
    )
    await eventually(async () => {
      const pod = await clients.core.readNamespacedPod({ name: 'db-2', namespace: ns })
      return (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2
    })
    const s = await clients.apps.readNamespacedStatefulSet({ name: 'db', namespace: ns })
    expect(s.status).toMatchObject({ replicas: 3, readyReplicas: 2, updatedReplicas: 1, currentReplicas: 2 })
    expect(s.status?.currentRevision).not.toBe(s.status?.updateRevision)
  })

  it('runs one DaemonSet pod per simulated node and rolls an update across all of them', async () => {
    await start({ nodeCount: 4 })
    await clients.apps.createNamespacedDaemonSet({
      namespace: ns,
      body: daemonSet('agent', 'fluent/fluent-bit:3.0')
    })
    const settled = async (image: string) =>
      eventually(
        async () => {
          const ds = await clients.apps.readNamespacedDaemonSet({ name: 'agent', namespace: ns })
          const { items: pods } = await clients.core.listNamespacedPod({
            namespace: ns,
            labelSelector: 'app=agent'
          })
          const s = ds.status
          const done =
            (s?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1) &&
            s?.desiredNumberScheduled === 4 &&
            s.updatedNumberScheduled === 4 &&
            s.numberAvailable === 4 &&
            pods.length === 4 &&
            pods.every((p) => p.spec?.containers[0]?.image === image)
          return done ? { ds, pods } : undefined
        },
        8000,
        `daemonset at ${image}`
      )
    const first = await settled('fluent/fluent-bit:3.0')
    expect(new Set(first.pods.map((p) => p.spec?.nodeName)).size).toBe(4)
    expect(first.ds.status).toMatchObject({
      currentNumberScheduled: 4,
      numberMisscheduled: 0,
      numberReady: 4
    })
    expect(first.ds.status?.numberUnavailable).toBeUndefined()

    await clients.apps.patchNamespacedDaemonSet(
      {
        name: 'agent',
        namespace: ns,
        body: {
          spec: { template: { spec: { containers: [{ name: 'agent', image: 'fluent/fluent-bit:3.1' }] } } }
        }
      },
      strategic
    )
    const second = await settled('fluent/fluent-bit:3.1')
    expect(second.ds.metadata?.generation).toBe(2)
    expect(second.pods.every((p) => p.metadata?.labels?.['pod-template-generation'] === '2')).toBe(true)
  })
})
